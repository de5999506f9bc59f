// stdout and stderr of the current call (the CLI's own fds, or the front's in the server).
import { io } from './io.js';

// Prints TEXT on stdout.
export const stdout = (text: string): void => io().write(1, text);

// Prints TEXT on stderr.
export const stderr = (text: string): void => io().write(2, text);
