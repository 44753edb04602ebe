/**
 * Label names and hierarchy: maps the 80 COCO classes of the CenterNet detector onto
 * Rekognition's label names, with Parents and Categories in Rekognition's style.
 *
 * The hierarchy is hand-written (Rekognition's own taxonomy is not public as data): each node
 * names its DIRECT parents; `ancestorsOf` flattens them, as Rekognition lists all ancestors in
 * `Parents` (e.g. Cat -> Animal, Mammal, Pet).
 */

/** COCO class names in the detector's output order (class index 0 = person). */
export const COCO_CLASSES: readonly string[] = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'airplane',
  'bus',
  'train',
  'truck',
  'boat',
  'traffic light',
  'fire hydrant',
  'stop sign',
  'parking meter',
  'bench',
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
  'backpack',
  'umbrella',
  'handbag',
  'tie',
  'suitcase',
  'frisbee',
  'skis',
  'snowboard',
  'sports ball',
  'kite',
  'baseball bat',
  'baseball glove',
  'skateboard',
  'surfboard',
  'tennis racket',
  'bottle',
  'wine glass',
  'cup',
  'fork',
  'knife',
  'spoon',
  'bowl',
  'banana',
  'apple',
  'sandwich',
  'orange',
  'broccoli',
  'carrot',
  'hot dog',
  'pizza',
  'donut',
  'cake',
  'chair',
  'couch',
  'potted plant',
  'bed',
  'dining table',
  'toilet',
  'tv',
  'laptop',
  'mouse',
  'remote',
  'keyboard',
  'cell phone',
  'microwave',
  'oven',
  'toaster',
  'sink',
  'refrigerator',
  'book',
  'clock',
  'vase',
  'scissors',
  'teddy bear',
  'hair drier',
  'toothbrush',
];

/** COCO class name -> Rekognition label name (only where they differ from Title Case). */
const RENAMED: Readonly<Record<string, string>> = {
  'cell phone': 'Mobile Phone',
  tv: 'TV',
  remote: 'Remote Control',
  keyboard: 'Computer Keyboard',
  'hair drier': 'Blow Dryer',
  'sports ball': 'Ball',
  skis: 'Ski',
  'tennis racket': 'Racket',
  donut: 'Donut',
  couch: 'Couch',
};

/** Rekognition's name for a COCO class: explicit renames, otherwise Title Case. */
export function rekognitionName(cocoClass: string): string {
  const renamed = RENAMED[cocoClass];
  if (renamed) return renamed;
  return cocoClass
    .split(' ')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

interface TaxonomyNode {
  /** Direct parents (their own parents are added by `ancestorsOf`). */
  parents?: readonly string[];
  categories: readonly string[];
}

const ANIMALS = 'Animals and Pets';
const VEHICLES = 'Vehicles and Automotive';
const FOOD = 'Food and Beverage';
const FURNITURE = 'Furniture and Furnishings';
const TECH = 'Technology and Computing';
const SPORTS = 'Sports';
const KITCHEN = 'Kitchen and Dining';
const EVERYDAY = 'Everyday Objects';
const HOME = 'Home and Indoors';
const APPAREL = 'Apparel and Accessories';
const TOYS = 'Toys and Gaming';
const PLANTS = 'Plants and Flowers';
const TOOLS = 'Tools and Machinery';
const TRANSPORT = 'Transport and Logistics';

/** Every label that can be returned, leaves (COCO classes) and inner nodes (parents). */
const TAXONOMY: Readonly<Record<string, TaxonomyNode>> = {
  // inner nodes
  Animal: { categories: [ANIMALS] },
  Mammal: { parents: ['Animal'], categories: [ANIMALS] },
  Pet: { parents: ['Animal'], categories: [ANIMALS] },
  Canine: { parents: ['Mammal'], categories: [ANIMALS] },
  Livestock: { parents: ['Animal'], categories: [ANIMALS] },
  Wildlife: { parents: ['Animal'], categories: [ANIMALS] },
  Transportation: { categories: [VEHICLES] },
  Vehicle: { parents: ['Transportation'], categories: [VEHICLES] },
  Aircraft: { parents: ['Vehicle'], categories: [VEHICLES] },
  Watercraft: { parents: ['Vehicle'], categories: [VEHICLES] },
  Food: { categories: [FOOD] },
  Produce: { parents: ['Food'], categories: [FOOD] },
  Plant: { categories: [PLANTS] },
  Fruit: { parents: ['Produce', 'Plant'], categories: [FOOD] },
  Vegetable: { parents: ['Produce', 'Plant'], categories: [FOOD] },
  'Citrus Fruit': { parents: ['Fruit'], categories: [FOOD] },
  Meal: { parents: ['Food'], categories: [FOOD] },
  Dessert: { parents: ['Food'], categories: [FOOD] },
  Sweets: { parents: ['Food'], categories: [FOOD] },
  Furniture: { categories: [FURNITURE] },
  Table: { parents: ['Furniture'], categories: [FURNITURE] },
  Electronics: { categories: [TECH] },
  Hardware: { parents: ['Electronics'], categories: [TECH] },
  'Computer Hardware': { parents: ['Hardware'], categories: [TECH] },
  Computer: { parents: ['Electronics'], categories: [TECH] },
  Phone: { parents: ['Electronics'], categories: [TECH] },
  Screen: { parents: ['Electronics'], categories: [TECH] },
  Appliance: { parents: ['Electrical Device'], categories: [HOME] },
  'Electrical Device': { categories: [TECH] },
  Sport: { categories: [SPORTS] },
  'Sports Equipment': { parents: ['Sport'], categories: [SPORTS] },
  Cutlery: { categories: [KITCHEN] },
  Accessories: { categories: [APPAREL] },
  Bag: { parents: ['Accessories'], categories: [APPAREL] },
  Clothing: { categories: [APPAREL] },
  Baggage: { categories: [TRANSPORT] },
  Toy: { categories: [TOYS] },
  Sign: { parents: ['Symbol'], categories: [TRANSPORT] },
  Symbol: { categories: [EVERYDAY] },
  Light: { categories: [EVERYDAY] },
  Glass: { categories: [KITCHEN] },
  Pottery: { categories: [HOME] },
  Publication: { categories: [EVERYDAY] },
  Tool: { categories: [TOOLS] },
  Weapon: { categories: [TOOLS] },
  // leaves: the COCO classes under their Rekognition names
  Person: { categories: ['Person Description'] },
  Bicycle: { parents: ['Vehicle'], categories: [VEHICLES] },
  Car: { parents: ['Vehicle'], categories: [VEHICLES] },
  Motorcycle: { parents: ['Vehicle'], categories: [VEHICLES] },
  Airplane: { parents: ['Aircraft'], categories: [VEHICLES] },
  Bus: { parents: ['Vehicle'], categories: [VEHICLES] },
  Train: { parents: ['Vehicle'], categories: [VEHICLES] },
  Truck: { parents: ['Vehicle'], categories: [VEHICLES] },
  Boat: { parents: ['Watercraft'], categories: [VEHICLES] },
  'Traffic Light': { parents: ['Light'], categories: [TRANSPORT] },
  'Fire Hydrant': { categories: [EVERYDAY] },
  'Stop Sign': { parents: ['Sign'], categories: [TRANSPORT] },
  'Parking Meter': { categories: [TRANSPORT] },
  Bench: { parents: ['Furniture'], categories: [FURNITURE] },
  Bird: { parents: ['Animal'], categories: [ANIMALS] },
  Cat: { parents: ['Mammal', 'Pet'], categories: [ANIMALS] },
  Dog: { parents: ['Canine', 'Pet'], categories: [ANIMALS] },
  Horse: { parents: ['Mammal'], categories: [ANIMALS] },
  Sheep: { parents: ['Mammal', 'Livestock'], categories: [ANIMALS] },
  Cow: { parents: ['Mammal', 'Livestock'], categories: [ANIMALS] },
  Elephant: { parents: ['Mammal', 'Wildlife'], categories: [ANIMALS] },
  Bear: { parents: ['Mammal', 'Wildlife'], categories: [ANIMALS] },
  Zebra: { parents: ['Mammal', 'Wildlife'], categories: [ANIMALS] },
  Giraffe: { parents: ['Mammal', 'Wildlife'], categories: [ANIMALS] },
  Backpack: { parents: ['Bag'], categories: [APPAREL] },
  Umbrella: { parents: ['Accessories'], categories: [APPAREL] },
  Handbag: { parents: ['Bag'], categories: [APPAREL] },
  Tie: { parents: ['Accessories', 'Clothing'], categories: [APPAREL] },
  Suitcase: { parents: ['Baggage'], categories: [TRANSPORT] },
  Frisbee: { parents: ['Toy'], categories: [TOYS] },
  Ski: { parents: ['Sports Equipment'], categories: [SPORTS] },
  Snowboard: { parents: ['Sports Equipment'], categories: [SPORTS] },
  Ball: { parents: ['Sports Equipment'], categories: [SPORTS] },
  Kite: { parents: ['Toy'], categories: [TOYS] },
  'Baseball Bat': { parents: ['Sports Equipment'], categories: [SPORTS] },
  'Baseball Glove': { parents: ['Sports Equipment', 'Clothing'], categories: [SPORTS] },
  Skateboard: { parents: ['Sports Equipment'], categories: [SPORTS] },
  Surfboard: { parents: ['Sports Equipment'], categories: [SPORTS] },
  Racket: { parents: ['Sports Equipment'], categories: [SPORTS] },
  Bottle: { categories: [KITCHEN] },
  'Wine Glass': { parents: ['Glass'], categories: [KITCHEN] },
  Cup: { categories: [KITCHEN] },
  Fork: { parents: ['Cutlery'], categories: [KITCHEN] },
  Knife: { parents: ['Cutlery', 'Weapon'], categories: [KITCHEN] },
  Spoon: { parents: ['Cutlery'], categories: [KITCHEN] },
  Bowl: { categories: [KITCHEN] },
  Banana: { parents: ['Fruit'], categories: [FOOD] },
  Apple: { parents: ['Fruit'], categories: [FOOD] },
  Sandwich: { parents: ['Meal'], categories: [FOOD] },
  Orange: { parents: ['Citrus Fruit'], categories: [FOOD] },
  Broccoli: { parents: ['Vegetable'], categories: [FOOD] },
  Carrot: { parents: ['Vegetable'], categories: [FOOD] },
  'Hot Dog': { parents: ['Food'], categories: [FOOD] },
  Pizza: { parents: ['Food'], categories: [FOOD] },
  Donut: { parents: ['Sweets'], categories: [FOOD] },
  Cake: { parents: ['Dessert'], categories: [FOOD] },
  Chair: { parents: ['Furniture'], categories: [FURNITURE] },
  Couch: { parents: ['Furniture'], categories: [FURNITURE] },
  'Potted Plant': { parents: ['Plant'], categories: [PLANTS] },
  Bed: { parents: ['Furniture'], categories: [FURNITURE] },
  'Dining Table': { parents: ['Table'], categories: [FURNITURE] },
  Toilet: { categories: [HOME] },
  TV: { parents: ['Screen'], categories: [TECH] },
  Laptop: { parents: ['Computer'], categories: [TECH] },
  Mouse: { parents: ['Computer Hardware'], categories: [TECH] },
  'Remote Control': { parents: ['Electronics'], categories: [TECH] },
  'Computer Keyboard': { parents: ['Computer Hardware'], categories: [TECH] },
  'Mobile Phone': { parents: ['Phone'], categories: [TECH] },
  Microwave: { parents: ['Appliance'], categories: [HOME] },
  Oven: { parents: ['Appliance'], categories: [HOME] },
  Toaster: { parents: ['Appliance'], categories: [HOME] },
  Sink: { categories: [HOME] },
  Refrigerator: { parents: ['Appliance'], categories: [HOME] },
  Book: { parents: ['Publication'], categories: [EVERYDAY] },
  Clock: { categories: [EVERYDAY] },
  Vase: { parents: ['Pottery'], categories: [HOME] },
  Scissors: { parents: ['Tool'], categories: [TOOLS] },
  'Teddy Bear': { parents: ['Toy'], categories: [TOYS] },
  'Blow Dryer': { parents: ['Appliance'], categories: ['Beauty and Personal Care'] },
  Toothbrush: { parents: ['Tool'], categories: ['Beauty and Personal Care'] },
};

/** All ancestors of a label (transitively), sorted by name as Rekognition lists them. */
export function ancestorsOf(name: string): string[] {
  const seen = new Set<string>();
  const stack = [...(TAXONOMY[name]?.parents ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(TAXONOMY[next]?.parents ?? []));
  }
  return [...seen].sort();
}

/** Categories of a label (empty for an unknown label). */
export function categoriesOf(name: string): string[] {
  return [...(TAXONOMY[name]?.categories ?? [])];
}

/** True when the taxonomy knows this label (every COCO class and every parent must be known). */
export function isKnownLabel(name: string): boolean {
  return Object.hasOwn(TAXONOMY, name);
}
