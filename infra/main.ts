/** CDK entry point (cdk.json): `npx cdk synth -c stage=dev`. */
import { buildApp } from './app';

buildApp().app.synth();
