/**
 * The EDL parser and checker (emulator/cli/oe/edl): every attribute, user types, imports,
 * preprocessor, and the errors oeedger8r reports, each with file:line:column.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EdlError } from '../../emulator/cli/oe/edl/ast.js';
import { loadEdl, parseEdlText } from '../../emulator/cli/oe/edl/loader.js';
import { Command } from 'commander';
import { runEdger8r } from '../../emulator/cli/oe/edger8r-command.js';
import { registerOe } from '../../emulator/cli/oe-commands.js';
import { existsSync, readFileSync } from 'node:fs';

const ROOT = resolve(__dirname, '../..');

function parse(src: string, defines: string[] = []) {
  return parseEdlText(src, 'x.edl', { defines });
}

function error(src: string): string {
  try {
    parse(src);
  } catch (e) {
    if (e instanceof EdlError) return e.message;
    throw e;
  }
  throw new Error('no error');
}

describe('EDL parser', () => {
  it('reads functions, attributes and suffixes', () => {
    const warnings: string[] = [];
    const edl = parseEdlText(`
      enclave {
        include "a.h"
        trusted {
          public int f([in, string] const char* s, [out, count=n] int* o, size_t n, [in, out] struct p* q,
                       [user_check] void* u, [in, size=16] void* b, [in, wstring] const wchar_t* w, int a[4], [out] int m[2][3]);
          public void g(void);
        };
        untrusted {
          long h(unsigned long long x, [in, isptr] foo_ptr fp, [out, isary] bar_ary ba) allow(f, g) propagate_errno transition_using_threads;
        };
      };`.replace('int a[4]', '[in] int a[4]'), 'x.edl', { warn: (w) => warnings.push(w) });
    expect(edl.name).toBe('x');
    expect(edl.includes).toEqual(['a.h']);
    const [f, g] = edl.trusted;
    expect(f!.isPublic).toBe(true);
    expect(f!.ret).toEqual({ base: 'int', isConst: false, ptr: 0 });
    expect(f!.params.map((p) => p.name)).toEqual(['s', 'o', 'n', 'q', 'u', 'b', 'w', 'a', 'm']);
    expect(f!.params[0]!.attrs).toMatchObject({ in: true, string: true });
    expect(f!.params[0]!.type).toEqual({ base: 'char', isConst: true, ptr: 1 });
    expect(f!.params[1]!.attrs).toMatchObject({ out: true, count: { name: 'n' } });
    expect(f!.params[3]!.attrs).toMatchObject({ in: true, out: true });
    expect(f!.params[3]!.type.base).toBe('struct p');
    expect(f!.params[4]!.attrs).toMatchObject({ userCheck: true });
    expect(f!.params[5]!.attrs).toMatchObject({ size: { num: 16 } });
    expect(f!.params[6]!.attrs).toMatchObject({ wstring: true });
    expect(f!.params[7]!.dims).toEqual(['4']);
    expect(f!.params[8]!.dims).toEqual(['2', '3']);
    expect(g!.params).toEqual([]);
    const h = edl.untrusted[0]!;
    expect(h.ret.base).toBe('long');
    expect(h.params[0]!.type.base).toBe('unsigned long long');
    expect(h.params[1]!.attrs).toMatchObject({ isptr: true });
    expect(h.params[2]!.attrs).toMatchObject({ isary: true, out: true });
    expect([h.allow, h.propagateErrno, h.switchless]).toEqual([['f', 'g'], true, true]);
    expect(warnings).toEqual([expect.stringMatching(/^x\.edl:10:\d+: warning: allow\(\) is not supported/)]);
  });

  it('reads enums, structs with size/count fields and arrays, unions', () => {
    const edl = parse(`enclave {
      enum e { A, B = 5, C = 0x10 };
      struct s { [size=len] uint8_t* data; size_t len; [count=n] int* items; size_t n; char name[8]; int grid[2][2]; };
      union u { int i; double d; };
    };`);
    expect(edl.types.map((t) => `${t.kind} ${t.name}`)).toEqual(['enum e', 'struct s', 'union u']);
    expect(edl.types[0]).toMatchObject({ values: [{ name: 'A' }, { name: 'B', value: '5' }, { name: 'C', value: '0x10' }] });
    expect(edl.types[1]).toMatchObject({ fields: [{ name: 'data', attrs: { size: { name: 'len' } } }, { name: 'len' }, { name: 'items', attrs: { count: { name: 'n' } } }, { name: 'n' }, { name: 'name', dims: ['8'] }, { name: 'grid', dims: ['2', '2'] }] });
  });

  it('skips comments and evaluates #ifdef/#ifndef/#else/#endif against -D', () => {
    const src = `enclave { /* c */ trusted {
      // line comment
      #ifdef FEATURE
      public void on();
      #else
      public void off();
      #endif
      #ifndef FEATURE
      public void notdef();
      #endif
    }; };`;
    expect(parse(src).trusted.map((f) => f.name)).toEqual(['off', 'notdef']);
    expect(parse(src, ['FEATURE']).trusted.map((f) => f.name)).toEqual(['on']);
  });
});

describe('EDL errors (oeedger8r checks), each with file:line:column', () => {
  const cases: [string, string, RegExp][] = [
    ['private trusted function', 'enclave { trusted { void f(); }; };', /^x\.edl:1:21: error: private specifier is not supported/],
    ['pointer without direction', 'enclave { trusted { public void f(int* p); }; };', /^x\.edl:1:35: error: .*needs a direction attribute/],
    ['string without in', 'enclave { trusted { public void f([out, string] char* s); }; };', /'string' needs the 'in' attribute/],
    ['string on a non-char pointer', 'enclave { trusted { public void f([in, string] int* s); }; };', /'string' applies only to char\*/],
    ['string with size', 'enclave { trusted { public void f([in, string, size=4] char* s); }; };', /cannot be combined with size or count/],
    ['size and count on one param', 'enclave { trusted { public void f([in, size=4, count=2] char* s); }; };', /has both size and count/],
    ['sizefunc', 'enclave { trusted { public void f([in, sizefunc=g] char* s); }; };', /^x\.edl:1:40: error: the 'sizefunc' attribute is deprecated/],
    ['allow on an ecall', 'enclave { trusted { public void f() allow(g); }; };', /allow\(\) is only allowed on untrusted functions/],
    ['deep-copy struct by value', 'enclave { struct d { [size=n] uint8_t* p; size_t n; }; trusted { public void f(struct d v); }; };', /cannot be passed by value/],
    ['size naming no parameter', 'enclave { trusted { public void f([in, size=zz] char* s); }; };', /names 'zz', which is not a parameter/],
    ['attribute on a non-pointer', 'enclave { trusted { public void f([in] int x); }; };', /not a pointer or array/],
    ['isptr with isary', 'enclave { trusted { public void f([in, isptr, isary] T x); }; };', /isptr and isary/],
    ['unknown attribute', 'enclave { trusted { public void f([in, bogus] char* s); }; };', /^x\.edl:1:40: error: unknown attribute 'bogus'/],
    ['duplicate function', 'enclave { trusted { public void f(); }; untrusted { void f(); }; };', /duplicate function 'f'/],
    ['missing semicolon', 'enclave {\n  trusted {\n    public void f()\n  };\n};', /^x\.edl:4:3: error: expected ';', found '}'/],
    ['unterminated comment', 'enclave { /* ', /^x\.edl:1:11: error: unterminated comment/],
    ['#else without #ifdef', 'enclave {\n#else\n};', /^x\.edl:2:1: error: #else without #ifdef/],
    ['missing #endif', 'enclave {\n#ifdef X\n};', /^x\.edl:2:1: error: unterminated #if/],
    ['junk after the enclave', 'enclave { }; trusted', /expected end of file/],
  ];
  for (const [what, src, re] of cases) it(what, () => expect(error(src)).toMatch(re));
});

describe('EDL imports', () => {
  function tree(): string {
    const dir = mkdtempSync(join(tmpdir(), 'edl-imp-'));
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'a.edl'), 'enclave { struct pa { int x; }; trusted { public void a1(); public void a2(); }; untrusted { void ao(); }; };');
    writeFileSync(join(dir, 'lib', 'b.edl'), 'enclave { import "a.edl"; trusted { public void b1(); }; };');
    writeFileSync(join(dir, 'dup.edl'), 'enclave { trusted { public void a1(); }; };');
    return dir;
  }

  it('appends imported functions after local ones, once each, through the search path', () => {
    const dir = tree();
    writeFileSync(join(dir, 'm.edl'), 'enclave { from "a.edl" import a2, ao; import "b.edl"; trusted { public void m1(); }; };');
    const edl = loadEdl(join(dir, 'm.edl'), { searchPaths: [join(dir, 'lib')] });
    expect(edl.trusted.map((f) => f.name)).toEqual(['m1', 'a2', 'b1', 'a1']);
    expect(edl.untrusted.map((f) => f.name)).toEqual(['ao']);
    expect(edl.types.map((t) => t.name)).toEqual(['pa']);
  });

  it('resolves relative to the importing file', () => {
    const dir = tree();
    writeFileSync(join(dir, 'lib', 'c.edl'), 'enclave { from "a.edl" import *; };');
    expect(loadEdl(join(dir, 'lib', 'c.edl')).trusted.map((f) => f.name)).toEqual(['a1', 'a2']);
  });

  it('refuses a function declared twice across imports, and unknown names and files', () => {
    const dir = tree();
    writeFileSync(join(dir, 'm.edl'), 'enclave { import "dup.edl"; import "a.edl"; };');
    expect(() => loadEdl(join(dir, 'm.edl'), { searchPaths: [join(dir, 'lib')] })).toThrow(/duplicate function 'a1'/);
    writeFileSync(join(dir, 'n.edl'), 'enclave { from "a.edl" import nope; };');
    expect(() => loadEdl(join(dir, 'n.edl'), { searchPaths: [join(dir, 'lib')] })).toThrow(/n\.edl:1:16: error: "a\.edl" has no function 'nope'/);
    writeFileSync(join(dir, 'o.edl'), 'enclave { import "missing.edl"; };');
    expect(() => loadEdl(join(dir, 'o.edl'))).toThrow(/o\.edl:1:18: error: cannot find imported file "missing\.edl"/);
  });

  it('finds the system EDLs as OE samples import them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edl-sys-'));
    writeFileSync(join(dir, 'helloworld.edl'), `enclave {
      from "openenclave/edl/syscall.edl" import *;
      from "platform.edl" import *;
      trusted { public void enclave_helloworld(); };
      untrusted { void host_helloworld(); };
    };`);
    const edl = loadEdl(join(dir, 'helloworld.edl'), { searchPaths: [join(ROOT, 'oe/edl'), join(ROOT, 'oe/edl/openenclave/edl/sgx')] });
    expect(edl.trusted.map((f) => f.name)).toEqual(['enclave_helloworld']);
    expect(edl.untrusted.map((f) => f.name)).toEqual(['host_helloworld', 'oe_syscall_write_ocall', 'oe_syscall_nanosleep_ocall', 'oe_syscall_getpid_ocall', 'oe_syscall_uname_ocall']);
  });
});

describe('edger8r CLI exit status', () => {
  it('prints the error with its place and returns 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edl-cli-'));
    writeFileSync(join(dir, 'bad.edl'), 'enclave {\n  trusted { void f(); };\n};\n');
    const log: string[] = [], err: string[] = [];
    expect(runEdger8r([join(dir, 'bad.edl')], { trustedDir: dir, untrustedDir: dir }, (s) => log.push(s), (s) => err.push(s))).toBe(1);
    expect(log).toEqual([`Processing ${join(dir, 'bad.edl')}.`]);
    expect(err).toEqual([`${join(dir, 'bad.edl')}:2:13: error: private specifier is not supported: trusted function 'f' must be public`]);
  });
});

describe('trustbox oe edger8r (commander)', () => {
  it('takes -DNAME, repeated --search-path, side and directory options like oeedger8r', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edl-cmd-'));
    mkdirSync(join(dir, 'inc'));
    writeFileSync(join(dir, 'inc', 'lib.edl'), 'enclave { untrusted { void lib_ocall(); }; };');
    writeFileSync(join(dir, 'app.edl'), 'enclave { import "lib.edl"; trusted {\n#ifdef FEATURE\npublic void feature();\n#endif\npublic void base(); }; };');
    const program = new Command().exitOverride();
    registerOe(program);
    const logs: string[] = [];
    const log = console.log;
    console.log = (s: string) => logs.push(s);
    try {
      await program.parseAsync(['node', 'trustbox', 'oe', 'edger8r', '-DFEATURE', '-Wall', '--search-path', join(dir, 'nowhere'), '--search-path', join(dir, 'inc'),
        '--trusted', '--trusted-dir', join(dir, 'enc'), '--header-only', join(dir, 'app.edl')]);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([`Processing ${join(dir, 'app.edl')}.`, 'Success.']);
    expect(existsSync(join(dir, 'enc', 'app_t.h'))).toBe(true);
    expect(existsSync(join(dir, 'enc', 'app_t.c'))).toBe(false);
    expect(existsSync(join(dir, 'app_u.h'))).toBe(false);
    const args = readFileSync(join(dir, 'enc', 'app_args.h'), 'utf8');
    expect(args).toContain('app_fcn_id_feature = 0,');
    expect(args).toContain('app_fcn_id_base = 1,');
    expect(args).toContain('app_fcn_id_lib_ocall = 0,');
  });
});
