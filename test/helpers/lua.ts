// The real Lua interpreters the quoting tests run generated code under (5.1 and 5.4, the range
// scrun links against). A missing one skips its tests under a name that says how to get it.
import { execFileSync } from 'node:child_process';
import { test } from '@jest/globals';

const installed = (lua: string): boolean => {
  try {
    execFileSync(lua, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export const LUAS = ['lua5.1', 'lua5.4'].map((lua) => ({ lua, installed: installed(lua) }));

// test(), or test.skip() under a name saying the interpreter is missing and how to install it.
export const luaTest = (lua: string, ok: boolean) =>
  ok
    ? test
    : (name: string, fn: () => void | Promise<void>) =>
        test.skip(`${name} (SKIPPED: ${lua} is not installed; apt-get install ${lua})`, fn);
