// How the fs driver reads its own files: whole, and only when they are regular files. Opened
// non-blocking and checked first, so that a record, journal entry or format.json swapped for a FIFO (or
// a directory) is reported as corruption instead of hanging every command that opens the registry.
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { RegistryError } from "../../driver.js";

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function notRegular(file: string, st: { isDirectory(): boolean; isFIFO(): boolean }): RegistryError {
  const what = st.isDirectory() ? "a directory" : st.isFIFO() ? "a FIFO" : "a special file";
  return new RegistryError("corrupt", `The registry file ${file} is ${what}, not a regular file.`, "run `assetctl verify` for a full report");
}

/** A registry file's bytes; ENOENT as fs reports it, "corrupt" for anything but a regular file. */
export async function readRegular(file: string): Promise<Buffer> {
  const handle = await open(file, FLAGS);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw notRegular(file, st);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export async function readRegularText(file: string): Promise<string> {
  return (await readRegular(file)).toString("utf8");
}

/** The same, synchronously, for bulk walks (see FsDriver#rebuild). */
export function readRegularTextSync(file: string): string {
  const fd = openSync(file, FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(file, st);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}
