#!/usr/bin/env python3
"""Generates src/NetSleuth/Model/FastJson/SnapshotFastReader.g.cs from the model's property
declarations (src/NetSleuth/Model/*.cs). Run after changing the model:
    python3 scripts/gen-fast-reader.py
A stale reader stays correct (an unknown property makes it hand the file to System.Text.Json), only
slower; tests/NetSleuth.Tests/Model/FastReaderTests.cs fails until it is regenerated."""
import glob, os, re

here = os.path.dirname(os.path.abspath(__file__))
model = os.path.join(here, '..', 'src', 'NetSleuth', 'Model')
out = os.path.join(model, 'FastJson', 'SnapshotFastReader.g.cs')

types, ctors, order = {}, {}, []
# collections made on first use (`{ get => field ??= []; set; }`): read as a new collection, absent ones left unmade
# (in a sharing load: the file's shared empty one, RecordPool.Empty)
lazy = set()
for f in sorted(glob.glob(os.path.join(model, '*.cs'))):
    cur = None
    for line in open(f, encoding='utf-8'):
        m = re.match(r'public sealed (class|record) (\w+)(\(([^)]*)\))?', line)
        if m:
            cur = m.group(2)
            if m.group(4):
                ctors[cur] = [tuple(p.split('=')[0].split()) for p in m.group(4).split(',')]
            continue
        m = re.match(r'\s+public (required )?([\w<>?,\. ]+?) (\w+) \{ (get; set;|get => field \?\?= (\[\]|new\(\)); set;|get => [^;{}]+; set => [^;{}]+;) \}', line)
        if m and cur:
            if cur not in types: types[cur] = []; order.append(cur)
            types[cur].append((bool(m.group(1)), m.group(2).strip(), m.group(3)))
            if m.group(5): lazy.add((cur, m.group(3)))

SKIP = {'InputException'}
# read through SnapshotFastReader.Read{T} (hand-written): identical tables are parsed once per load (RuleSharing)
SHARED = {'IptablesTable', 'NftRuleset'}
# read through SnapshotFastReader.Pooled (RecordPool): a load that shares reads a record repeated within a file once;
# only types that nothing changes once loaded (what-if edits change a copy read without sharing) and whose identity
# means nothing (no Link: the topology tells devices apart by object)
POOLED = {'Rule', 'Route', 'TcQdisc', 'IfAddress', 'Neighbor', 'NetnsIdEntry'}
# lists read through J.ListShared / J.StrListShared under the same rule: a list repeated within a file (a pod's
# rules, qdiscs, a loopback's flags and address) is read once; not where the items are each different (links, routes)
POOLED_LISTS = {
    'NetNamespace': {'Rules', 'Qdiscs', 'NetnsIds', 'Neighbors', 'Filters'},
    'Link': {'Flags', 'AltNames', 'Addresses'},
    'IfAddress': {'Flags'}, 'Route': {'Flags', 'NextHops'}, 'NextHop': {'Flags'},
    'Neighbor': {'State', 'EarlierReadings'}, 'NeighborReading': {'State'}, 'FdbEntry': {'Flags'},
}
# JSON properties older writers emitted for get-only members (now [JsonIgnore]); System.Text.Json skips them, so do we
OBSOLETE = {'Host': ['root'], 'NetNamespace': ['displayName']}
ctors = {k: v for k, v in ctors.items() if k not in SKIP}
model_types = set(types) | set(ctors)

def camel(name):
    c = list(name)
    for i in range(len(c)):
        if i == 1 and not c[i].isupper(): break
        if i > 0 and i + 1 < len(c) and not c[i + 1].isupper(): break
        c[i] = c[i].lower()
    return ''.join(c)

def value(t):
    """An expression reading one value of type t at the reader's current token."""
    nullable = t.endswith('?')
    b = t.rstrip('?')
    simple = {
        'string': 'J.Str(ref r, c)', 'int': 'J.Int(ref r)', 'long': 'J.Long(ref r)', 'uint': 'J.UInt(ref r)',
        'bool': 'J.Bool(ref r)', 'MacAddress': 'J.Mac(ref r)', 'IPAddress': 'J.Ip(ref r, c)', 'IpPrefix': 'J.Prefix(ref r, c)',
        'DateTimeOffset': 'J.Date(ref r)', 'JsonElement': 'J.Element(ref r)',
    }
    if b in simple:
        e = simple[b]
        return e.replace('(ref r', 'N(ref r') if nullable else e
    if b in model_types:
        return f'Read{b}(ref r, c)' + ('' if nullable else ' ?? throw J.Bail()')
    if b == 'StringMap':
        return 'J.DictNew(ref r, c)'
    raise SystemExit(f'gen-fast-reader: no reader for type {t}')

def assign(obj, t, name, owner=None):
    b = t.rstrip('?')
    if (owner, name) in lazy:
        pooled = 'true' if name in POOLED_LISTS.get(owner, ()) else 'false'
        # null (a JSON null) leaves it to be made when used, as System.Text.Json's null does
        if b == 'List<string>': return f'{obj}.{name} = J.NewStrList(ref r, c, {pooled})!;'
        if b == 'List<int>': return f'{obj}.{name} = J.NewList(ref r, c, static (ref Utf8JsonReader x, Ctx _) => J.Int(ref x), {pooled})!;'
        if b.startswith('List<'): return f'{obj}.{name} = J.NewList(ref r, c, Read{b[5:-1]}Item, {pooled})!;'
        if b == 'StringSet': return f'{obj}.{name} = J.NewStrSet(ref r, c)!;'
        if b == 'StringMap': return f'{obj}.{name} = J.NewDict(ref r, c)!;'
        raise SystemExit(f'gen-fast-reader: no lazy reader for {t}')
    if b.startswith('List<'):
        item = b[5:-1]
        target = f'{obj}.{name} ??= []' if t.endswith('?') else f'{obj}.{name}'
        if name in POOLED_LISTS.get(owner, ()) and not t.endswith('?'):
            if item == 'string': return f'{target} = J.StrListShared(ref r, c, {target});'
            return f'{target} = J.ListShared(ref r, c, {target}, Read{item}Item);'
        fn = {'string': 'J.StrList(ref r, c, ', 'int': 'J.IntList(ref r, '}.get(item)
        if fn: return f'{fn}{target});'
        return f'J.List(ref r, c, {target}, Read{item}Item);'
    if b == 'StringSet': return f'{obj}.{name} = J.StrSet(ref r, c, {obj}.{name});'
    if b == 'StringMap' and not t.endswith('?'): return f'{obj}.{name} = J.Dict(ref r, c, {obj}.{name});'
    return f'{obj}.{name} = {value(t)};'

L = []
w = L.append

def pooled_wrapper(t):
    w(f'    private static {t}? Read{t}(ref Utf8JsonReader r, Ctx c) =>')
    w(f'        Pooled(ref r, c, static (ref Utf8JsonReader x, Ctx y) => Read{t}Parsed(ref x, y));')
    w('')
w('// <auto-generated> by scripts/gen-fast-reader.py from src/NetSleuth/Model/*.cs — do not edit. </auto-generated>')
w('#nullable enable')
w('using System.Net;')
w('using System.Text.Json;')
w('using NetSleuth.Model.Collections;')
w('')
w('namespace NetSleuth.Model.FastJson;')
w('')
w('internal static partial class SnapshotFastReader')
w('{')
w('    /// <summary>Every JSON property name the reader handles, by model type (tests compare it with the model).</summary>')
w('    public static readonly IReadOnlyDictionary<string, string[]> Handled = new Dictionary<string, string[]>')
w('    {')
for t in order:
    w(f'        ["{t}"] = [{", ".join(chr(34) + camel(p[2]) + chr(34) for p in types[t])}],')
for t, ps in ctors.items():
    w(f'        ["{t}"] = [{", ".join(chr(34) + camel(p[1]) + chr(34) for p in ps)}],')
w('    };')
for t in order:
    props = types[t]
    req = [p for p in props if p[0]]
    init = ', '.join(f'{p[2]} = default!' for p in req)
    w('')
    w(f'    private static {t} Read{t}Item(ref Utf8JsonReader r, Ctx c) => Read{t}(ref r, c) ?? throw J.Bail();')
    w('')
    if t in POOLED: pooled_wrapper(t)
    w(f'    private static {t}? Read{t}{"Parsed" if t in SHARED or t in POOLED else ""}(ref Utf8JsonReader r, Ctx c)')
    w('    {')
    w('        if (J.IsNull(ref r)) return null;')
    w('        J.StartObject(ref r);')
    w(f'        var o = new {t} {{ {init} }};' if init else f'        var o = new {t}();')
    if req: w('        int seen = 0;')
    if any((t, p[2]) in lazy for p in props): w('        int made = 0; // collections read (each once: given twice, System.Text.Json decides)')
    w('        Span<char> buf = stackalloc char[J.MaxName];')
    w('        while (J.NextProperty(ref r, buf, out int n))')
    w('        {')
    w('            switch ((ReadOnlySpan<char>)buf[..n])')
    w('            {')
    lz = [p for p in props if (t, p[2]) in lazy]
    for i, (isreq, typ, name) in enumerate(props):
        bit = req.index((isreq, typ, name)) if isreq else -1
        extra = f' seen |= {1 << bit};' if isreq else ''
        if (t, name) in lazy:
            lb = 1 << [p[2] for p in lz].index(name)
            w(f'                case "{camel(name)}": if ((made & {lb}) != 0) throw J.Bail(); {assign("o", typ, name, t)} made |= {lb}; break;')
            continue
        w(f'                case "{camel(name)}": {assign("o", typ, name, t)}{extra} break;')
    for name in OBSOLETE.get(t, []):
        w(f'                case "{name}": r.Skip(); break;')
    w('                default: throw J.Bail();')
    w('            }')
    w('        }')
    if req: w(f'        if (seen != {(1 << len(req)) - 1}) throw J.Bail();')
    if lz:
        w('        if (c.Records is { } pool)')
        w('        {')
        for k, (_, typ, name) in enumerate(lz):
            w(f'            if ((made & {1 << k}) == 0) o.{name} = pool.Empty<{typ}>();')
        w('        }')
    w('        return o;')
    w('    }')
for t, ps in ctors.items():
    w('')
    w(f'    private static {t} Read{t}Item(ref Utf8JsonReader r, Ctx c) => Read{t}(ref r, c) ?? throw J.Bail();')
    w('')
    if t in POOLED: pooled_wrapper(t)
    w(f'    private static {t}? Read{t}{"Parsed" if t in POOLED else ""}(ref Utf8JsonReader r, Ctx c)')
    w('    {')
    w('        if (J.IsNull(ref r)) return null;')
    if t == 'SourceRef':
        w('        if (r.TokenType == JsonTokenType.String) return c.Source(J.Str(ref r, c), 0); // the short form: a whole output')
    w('        J.StartObject(ref r);')
    for typ, name in ps:
        w(f'        {typ} {name} = default!;')
    w('        bool hasFirst = false;')
    w('        Span<char> buf = stackalloc char[J.MaxName];')
    w('        while (J.NextProperty(ref r, buf, out int n))')
    w('        {')
    w('            switch ((ReadOnlySpan<char>)buf[..n])')
    w('            {')
    for i, (typ, name) in enumerate(ps):
        w(f'                case "{camel(name)}": {name} = {value(typ)};{" hasFirst = true;" if i == 0 else ""} break;')
    w('                default: throw J.Bail();')
    w('            }')
    w('        }')
    w('        if (!hasFirst) throw J.Bail();')
    args = ', '.join(p[1] for p in ps)
    if t == 'SourceRef': w(f'        return c.Source({args});')
    else: w(f'        return new {t}({args});')
    w('    }')
w('}')
open(out, 'w', encoding='utf-8').write('\n'.join(L) + '\n')
print(f'wrote {os.path.relpath(out)} ({len(types)} classes, {len(ctors)} records)')
