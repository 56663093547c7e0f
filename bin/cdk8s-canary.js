#!/usr/bin/env node
require('../lib/cli/main').run();
