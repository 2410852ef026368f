/**
 * The generated C marshalling: the caller's proxy (ecall proxy on the host, ocall proxy in the
 * enclave) and the callee's stub (ecall_<f> in the enclave, ocall_<f> on the host). The layout is
 * model.ts's; every size is checked before use and the callee re-points each pointer field into
 * the buffers (a transmitted pointer value only says NULL or not).
 */
import { cType, type Edl, type Func } from './ast.js';
import { bufferBytesC, deepBytesC, deepCountC, deepFields, planFunc, type FuncPlan, type ParamPlan } from './model.js';
import { proxyProto } from './gen-c-headers.js';

type Side = 'host' | 'enclave';

const ADD = (total: string, n: string) => `if ((_result = oe_edger8r_add_piece(&${total}, ${n})) != OE_OK) goto done;`;

function fieldType(p: ParamPlan): string {
  const d = p.d;
  if (d.attrs?.isary) return 'void*';
  if (d.dims.length > 1) return `${cType({ ...d.type, isConst: false })} (*)${d.dims.slice(1).map((n) => `[${n}]`).join('')}`;
  if (d.dims.length === 1) return `${cType({ ...d.type, isConst: false })}*`;
  return cType({ ...d.type, isConst: false });
}

function isIn(p: ParamPlan): boolean { return p.kind === 'buffer' && p.dir !== 'out'; }
function isOut(p: ParamPlan): boolean { return p.kind === 'buffer' && p.dir !== 'in'; }

/** Loop header over the elements of a deep-copied struct buffer held at `base`. */
function deepLoop(p: ParamPlan, base: string, body: string[]): string[] {
  const st = cType({ ...p.elem!, isConst: false });
  const out = [`    for (_i = 0; _i < ${deepCountC(p, `_sz_${p.d.name}`)}; _i++)`, '    {', `        ${st}* _e = &((${st}*)${base})[_i];`];
  for (const f of deepFields(p.deep!)) out.push(...body.map((l) => `        ${l.replace(/\$F/g, f.name).replace(/\$BYTES/g, deepBytesC(f, '_e', '_dsz'))}`));
  out.push('    }');
  return out;
}

/** The caller side: builds the buffers, calls across, checks and unpacks the answer. */
export function genProxy(edl: Edl, f: Func, side: Side): string {
  const plan = planFunc(edl, f);
  const name = side === 'host' ? `${edl.name}_${f.name}` : f.name;
  const A = `${f.name}_args_t`;
  const o: string[] = [proxyProto(f, name, side === 'host'), '{'];
  o.push('    oe_result_t _result = OE_FAILURE;');
  if (side === 'host') o.push('    static uint64_t _enclave_function_id = UINT64_MAX;');
  o.push(`    ${A} _args, *_pargs_out = NULL;`);
  o.push('    size_t _input_buffer_size = 0, _output_buffer_size = 0, _total_buffer_size = 0;');
  o.push('    size_t _input_offset = 0, _output_offset = 0, _output_bytes_written = 0, _i = 0, _dsz = 0;');
  o.push('    uint8_t *_buffer = NULL, *_input_buffer = NULL, *_output_buffer = NULL;');
  for (const p of plan.params) if (p.kind === 'buffer') o.push(`    size_t _sz_${p.d.name} = 0;`);
  o.push('    (void)_i; (void)_dsz; (void)_input_offset; (void)_output_offset;', '', '    memset(&_args, 0, sizeof(_args));');
  for (const p of plan.params) o.push(`    _args.${p.d.name} = (${fieldType(p)})${p.d.name};`);
  for (const p of plan.params) {
    if (p.stringChar) o.push(`    _args.${p.d.name}_len = ${p.d.name} ? oe_edger8r_strlen(${p.d.name}, sizeof(${p.stringChar})) + 1 : 0;`);
  }
  o.push('', '    /* Sizes: the args struct, then each buffer, each piece rounded up. */');
  o.push(`    ${ADD('_input_buffer_size', `sizeof(${A})`)}`, `    ${ADD('_output_buffer_size', `sizeof(${A})`)}`);
  for (const p of plan.params) {
    if (p.kind !== 'buffer') continue;
    o.push(`    if (${p.d.name})`, '    {', `        ${bufferBytesC(p, '_args.', `_sz_${p.d.name}`, p.d.name)}`);
    if (isIn(p)) o.push(`        ${ADD('_input_buffer_size', `_sz_${p.d.name}`)}`);
    if (isOut(p)) o.push(`        ${ADD('_output_buffer_size', `_sz_${p.d.name}`)}`);
    o.push('    }');
  }
  for (const p of plan.params) {
    if (!p.deep || !isIn(p)) continue;
    o.push(`    if (${p.d.name})`, '    {');
    o.push(...deepLoop(p, p.d.name, ['if (_e->$F)', '{', '    $BYTES', `    ${ADD('_input_buffer_size', '_dsz')}`, '}']).map((l) => `    ${l}`));
    o.push('    }');
  }
  if (plan.hasDeepOut) o.push(`    ${ADD('_output_buffer_size', 'OE_EDGER8R_DEEPCOPY_RESERVE')}`);
  o.push('    if (_input_buffer_size > (size_t)-1 - _output_buffer_size)', '    {', '        _result = OE_INTEGER_OVERFLOW;', '        goto done;', '    }');
  o.push('    _total_buffer_size = _input_buffer_size + _output_buffer_size;');
  o.push(`    _buffer = (uint8_t*)${side === 'host' ? 'malloc' : 'oe_allocate_ocall_buffer'}(_total_buffer_size);`);
  o.push('    if (_buffer == NULL)', '    {', '        _result = OE_OUT_OF_MEMORY;', '        goto done;', '    }');
  o.push('    memset(_buffer, 0, _total_buffer_size);', '    _input_buffer = _buffer;', '    _output_buffer = _buffer + _input_buffer_size;', '');
  o.push('    /* Input: the args struct, then each in and in,out buffer. */');
  o.push(`    memcpy(_input_buffer, &_args, sizeof(${A}));`, `    _input_offset = OE_EDGER8R_ROUND(sizeof(${A}));`);
  for (const p of plan.params) {
    if (!isIn(p)) continue;
    o.push(`    if (${p.d.name})`, '    {', `        memcpy(_input_buffer + _input_offset, (const void*)${p.d.name}, _sz_${p.d.name});`, `        _input_offset += OE_EDGER8R_ROUND(_sz_${p.d.name});`, '    }');
  }
  for (const p of plan.params) {
    if (!p.deep || !isIn(p)) continue;
    o.push(`    if (${p.d.name})`, '    {');
    o.push(...deepLoop(p, p.d.name, ['if (_e->$F)', '{', '    $BYTES', '    memcpy(_input_buffer + _input_offset, (const void*)_e->$F, _dsz);', '    _input_offset += OE_EDGER8R_ROUND(_dsz);', '}']).map((l) => `    ${l}`));
    o.push('    }');
  }
  o.push('');
  if (side === 'host') {
    o.push(`    _result = oe_call_enclave_function(enclave, &_enclave_function_id, "${f.name}", _input_buffer, _input_buffer_size,`);
  } else {
    o.push(`    _result = oe_call_host_function(${edl.name}_fcn_id_${f.name}, _input_buffer, _input_buffer_size,`);
  }
  o.push('        _output_buffer, _output_buffer_size, &_output_bytes_written);', '    if (_result != OE_OK)', '        goto done;');
  // OE's order: the callee's own result, then all of the output written.
  o.push(`    _pargs_out = (${A}*)_output_buffer;`, '    if ((_result = _pargs_out->oe_result) != OE_OK)', '        goto done;');
  o.push('    if (_output_bytes_written != _output_buffer_size)', '    {', '        _result = OE_FAILURE;', '        goto done;', '    }');
  if (plan.hasRet) o.push('    if (_retval)', '        *_retval = _pargs_out->oe_retval;');
  o.push(`    _output_offset = OE_EDGER8R_ROUND(sizeof(${A}));`);
  for (const p of plan.params) {
    if (!isOut(p)) continue;
    o.push(`    if (${p.d.name})`, '    {', `        memcpy((void*)${p.d.name}, _output_buffer + _output_offset, _sz_${p.d.name});`, `        _output_offset += OE_EDGER8R_ROUND(_sz_${p.d.name});`, '    }');
  }
  o.push(...genDeepOutCaller(plan));
  if (f.propagateErrno && side === 'enclave') o.push('    errno = _pargs_out->ocall_errno;');
  o.push('', 'done:');
  o.push(side === 'host' ? '    free(_buffer);' : '    if (_buffer)\n        oe_free_ocall_buffer(_buffer);');
  o.push('    return _result;', '}');
  if (side === 'host') o.push('', `OE_WEAK_ALIAS(${name}, ${f.name});`);
  return o.join('\n') + '\n';
}

/** Caller: the out structs' deep-copied fields, from the deep-copy area into malloc'd memory. */
function genDeepOutCaller(plan: FuncPlan): string[] {
  if (!plan.hasDeepOut) return [];
  const o = ['    {', '        size_t _deep_offset = 0;', '        uint8_t* _deep = _output_buffer + _output_offset;',
    '        size_t _deep_size = _pargs_out->deepcopy_out_buffer_size;', '        if (_deep_size > OE_EDGER8R_DEEPCOPY_RESERVE)', '        {', '            _result = OE_FAILURE;', '            goto done;', '        }'];
  for (const p of plan.params) {
    if (!p.deep || p.dir === 'in') continue;
    o.push(`        if (${p.d.name})`, '        {');
    o.push(...deepLoop(p, p.d.name, ['if (_e->$F)', '{', '    $BYTES', '    if (_deep_offset > _deep_size || _dsz > _deep_size - _deep_offset)', '    {', '        _result = OE_FAILURE;', '        goto done;', '    }',
      '    _e->$F = malloc(_dsz ? _dsz : 1);', '    if (!_e->$F)', '    {', '        _result = OE_OUT_OF_MEMORY;', '        goto done;', '    }',
      '    memcpy((void*)_e->$F, _deep + _deep_offset, _dsz);', '    _deep_offset += OE_EDGER8R_ROUND(_dsz);', '}']).map((l) => `        ${l}`));
    o.push('        }');
  }
  o.push('    }');
  return o;
}

/** The callee side: checks the buffers, re-points pointers, calls the implementation. */
export function genCallee(edl: Edl, f: Func, side: Side): string {
  const plan = planFunc(edl, f);
  const A = `${f.name}_args_t`;
  const o: string[] = [`static void ${side === 'enclave' ? 'ecall' : 'ocall'}_${f.name}(`, '    const uint8_t* input_buffer,', '    size_t input_buffer_size,',
    '    uint8_t* output_buffer,', '    size_t output_buffer_size,', '    size_t* output_bytes_written)', '{'];
  o.push('    oe_result_t _result = OE_FAILURE;', `    ${A}* _pargs_in = (${A}*)input_buffer;`, `    ${A}* _pargs_out = (${A}*)output_buffer;`);
  o.push('    size_t _input_offset = 0, _output_offset = 0, _i = 0, _dsz = 0;');
  for (const p of plan.params) if (p.kind === 'buffer') o.push(`    size_t _sz_${p.d.name} = 0;`);
  o.push('    (void)_i; (void)_dsz; (void)_pargs_in; (void)_input_offset; (void)_output_offset;', '');
  o.push(`    if (input_buffer == NULL || output_buffer == NULL || input_buffer_size < sizeof(${A}) || output_buffer_size < sizeof(${A}))`, '        goto done;');
  if (side === 'enclave') {
    o.push('    if (!oe_is_within_enclave(input_buffer, input_buffer_size) || !oe_is_within_enclave(output_buffer, output_buffer_size))', '        goto done;');
  }
  o.push(`    _input_offset = OE_EDGER8R_ROUND(sizeof(${A}));`, `    _output_offset = OE_EDGER8R_ROUND(sizeof(${A}));`);
  const P = (p: ParamPlan) => `_pargs_in->${p.d.name}`;
  for (const p of plan.params) {
    if (p.kind !== 'buffer') continue;
    o.push(`    if (${P(p)})`, '    {', `        ${bufferBytesC(p, '_pargs_in->', `_sz_${p.d.name}`, P(p))}`);
    if (isIn(p)) {
      o.push(`        if (_sz_${p.d.name} > input_buffer_size - _input_offset)`, '        {', '            _result = OE_BUFFER_TOO_SMALL;', '            goto done;', '        }');
      if (p.stringChar) o.push(`        if (!oe_edger8r_string_ok(input_buffer + _input_offset, _pargs_in->${p.d.name}_len, sizeof(${p.stringChar})))`, '        {', '            _result = OE_INVALID_PARAMETER;', '            goto done;', '        }');
    }
    if (isOut(p)) {
      o.push(`        if (_sz_${p.d.name} > output_buffer_size - _output_offset)`, '        {', '            _result = OE_BUFFER_TOO_SMALL;', '            goto done;', '        }');
      if (isIn(p)) o.push(`        memcpy(output_buffer + _output_offset, input_buffer + _input_offset, _sz_${p.d.name});`);
      else o.push(`        memset(output_buffer + _output_offset, 0, _sz_${p.d.name});`);
      o.push(`        ${P(p)} = (${fieldType(p)})(output_buffer + _output_offset);`, `        _output_offset += OE_EDGER8R_ROUND(_sz_${p.d.name});`);
    } else {
      o.push(`        ${P(p)} = (${fieldType(p)})(input_buffer + _input_offset);`);
    }
    if (isIn(p)) o.push(`        _input_offset += OE_EDGER8R_ROUND(_sz_${p.d.name});`);
    o.push('    }');
  }
  for (const p of plan.params) {
    if (!p.deep || !isIn(p)) continue;
    o.push(`    if (${P(p)})`, '    {');
    o.push(...deepLoop(p, P(p), ['if (_e->$F)', '{', '    $BYTES', '    if (_dsz > input_buffer_size - _input_offset)', '    {', '        _result = OE_BUFFER_TOO_SMALL;', '        goto done;', '    }',
      '    *(void**)&_e->$F = (void*)(input_buffer + _input_offset);', '    _input_offset += OE_EDGER8R_ROUND(_dsz);', '}']).map((l) => `    ${l}`));
    o.push('    }');
  }
  o.push('', '    /* Call the implementation. */');
  const args = f.params.map((p) => `_pargs_in->${p.name}`).join(', ');
  const call = `${f.name}(${args})`;
  if (plan.hasRet) o.push(`    _pargs_out->oe_retval = ${call};`); else o.push(`    ${call};`);
  if (f.propagateErrno && side === 'host') o.push('    _pargs_out->ocall_errno = errno;');
  o.push(...genDeepOutCallee(plan));
  o.push('    _result = OE_OK;', '', 'done:', `    if (output_buffer != NULL && output_buffer_size >= sizeof(${A}))`, '        _pargs_out->oe_result = _result;');
  // As OE's stubs: bytes are written only by a call that ran; a refused one writes none, so a
  // caller that passed an output too small for the result itself still sees the failure.
  o.push('    if (output_bytes_written != NULL)', '        *output_bytes_written = _result == OE_OK ? output_buffer_size : 0;', '}');
  return o.join('\n') + '\n';
}

/** Callee: copy the out structs' deep-copied fields into the reserve at the output's end. */
function genDeepOutCallee(plan: FuncPlan): string[] {
  if (!plan.hasDeepOut) return [];
  const o = ['    {', '        size_t _deep_offset = 0;', '        uint8_t* _deep = output_buffer + _output_offset;',
    '        size_t _deep_room = output_buffer_size - _output_offset;'];
  for (const p of plan.params) {
    if (!p.deep || p.dir === 'in') continue;
    o.push(`        if (_pargs_in->${p.d.name})`, '        {');
    o.push(...deepLoop(p, `_pargs_in->${p.d.name}`, ['if (_e->$F)', '{', '    $BYTES', '    if (_dsz > _deep_room - _deep_offset || OE_EDGER8R_ROUND(_dsz) > _deep_room - _deep_offset)', '    {', '        _result = OE_BUFFER_TOO_SMALL;', '        goto done;', '    }',
      '    memcpy(_deep + _deep_offset, (const void*)_e->$F, _dsz);', '    _deep_offset += OE_EDGER8R_ROUND(_dsz);', '}']).map((l) => `        ${l}`));
    o.push('        }');
  }
  o.push('        _pargs_out->deepcopy_out_buffer_size = _deep_offset;', '    }');
  return o;
}
