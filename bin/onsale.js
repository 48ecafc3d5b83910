#!/usr/bin/env node
// `npx onsale …`: runs the CLI from the TypeScript sources through tsx's loader, so a fresh
// clone needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../engine/src/cli/onsale.ts');
