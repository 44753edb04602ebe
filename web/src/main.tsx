import { render } from 'preact';

render(<main>Image labeling console</main>, document.getElementById('app') as HTMLElement);
