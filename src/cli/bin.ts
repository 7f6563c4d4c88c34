#!/usr/bin/env node
// The executable: runs the CLI on this process's arguments and sets the exit code.
import { main } from "./main.js";
import { processIo } from "./io.js";

process.exitCode = await main(process.argv.slice(2), processIo());
