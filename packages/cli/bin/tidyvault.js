#!/usr/bin/env node
// Committed, not built: npm links a workspace's command before `postinstall` builds dist/, and
// skips a link whose target is missing, so `npx tidyvault` would then look on the public registry.
import '../dist/main.js';
