using System.Text.Json;
using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>One row of `ovs-vsctl list TABLE` with the output line it starts on.</summary>
internal sealed record OvsdbRow(Dictionary<string, OvsdbDatum> Columns, int LineIndex)
{
    public OvsdbDatum? this[string column] => Columns.TryGetValue(column, out var d) ? d : null;
}

/// <summary>
/// Reads `ovs-vsctl list|find bridge|port|interface` in its text form (lib/db-ctl-base.c, one
/// "column : value" line per column, a blank line between rows):
/// <code>
/// _uuid               : 2b21dee1-a55b-48c8-babf-b8a46eb7fd13
/// external_ids        : {attached-mac="0a:58:0a:84:02:2e", iface-id=default_pod-a}
/// ingress_policing_burst: 0
/// name                : veth-tag
/// ofport              : 3
/// </code>
/// and with `--format=json` / `-f json` (lib/table.c):
/// <code>
/// {"data":[[["uuid","7cd0…"],"up",["map",[["peer","patch-br-ex-to-br-int"]]],["set",[]],5,…]],"headings":["_uuid","admin_state",…]}
/// </code>
/// </summary>
internal static class OvsVsctlListParser
{
    public static bool Matches(IReadOnlyList<string> argv) =>
        OvsCommand.Parse(argv) is { Tool: "ovs-vsctl" } c && c.Word(0) is "list" or "find" && OvsCommand.Table(c.Word(1)) is not null;
    public static void Parse(CommandOutput output, NetNamespace ns, ImportLog log)
    {
        var cmd = OvsCommand.Parse(output.Argv);
        var table = cmd is null ? null : OvsCommand.Table(cmd.Word(1));
        if (cmd is null || table is null) { log.Warn(output, 0, $"ovs-vsctl: not a list of a known table: {output.CommandText}"); return; }
        List<OvsdbRow>? rows = cmd.Format switch
        {
            null or "list" => ReadText(output, log),
            "json" => ReadJson(output, log),
            _ => null,
        };
        if (rows is null)
        {
            if (cmd.Format is not "json") log.Warn(output, 0, $"ovs-vsctl --format={cmd.Format} is not read; use the default or json format");
            return;
        }
        OvsListApplier.Apply(table, rows, output, ns, log);
    }

    internal static List<OvsdbRow> ReadText(CommandOutput output, ImportLog log)
    {
        var rows = new List<OvsdbRow>();
        Dictionary<string, OvsdbDatum>? current = null;
        for (int i = 0; i < output.Lines.Count; i++)
        {
            var line = output.Lines[i];
            if (line.Trim().Length == 0) { current = null; continue; }
            int colon = line.IndexOf(':');
            var column = colon > 0 ? line[..colon].Trim() : "";
            if (column.Length == 0 || !column.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                log.Warn(output, i, $"ovs-vsctl list: not a 'column : value' line: '{OvsVsctlShowParser.Short(line.Trim())}'");
                continue;
            }
            if (!OvsdbDatum.TryParseText(line[(colon + 1)..], out var datum))
            {
                log.Warn(output, i, $"ovs-vsctl list: cannot read the value of column {column}");
                continue;
            }
            if (current is null || current.ContainsKey(column))
            {
                current = new Dictionary<string, OvsdbDatum>(StringComparer.Ordinal);
                rows.Add(new OvsdbRow(current, i));
            }
            current[column] = datum;
        }
        return rows;
    }

    private static List<OvsdbRow>? ReadJson(CommandOutput output, ImportLog log)
    {
        using var doc = JsonOutput.Parse(output, log, "ovs-vsctl --format=json");
        if (doc is null) return null;
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object ||
            !root.TryGetProperty("headings", out var headings) || headings.ValueKind != JsonValueKind.Array ||
            !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            log.Warn(output, 0, "ovs-vsctl --format=json: no \"headings\" and \"data\" arrays");
            return null;
        }
        var names = headings.EnumerateArray().Select(h => h.ValueKind == JsonValueKind.String ? h.GetString() ?? "" : "").ToList();
        var rows = new List<OvsdbRow>();
        int n = 0;
        foreach (var row in data.EnumerateArray())
        {
            n++;
            if (row.ValueKind != JsonValueKind.Array) { log.Warn(output, 0, $"ovs-vsctl --format=json: row {n} is not an array"); continue; }
            var cols = new Dictionary<string, OvsdbDatum>(StringComparer.Ordinal);
            int c = 0;
            foreach (var cell in row.EnumerateArray())
            {
                if (c < names.Count && names[c].Length > 0 && TryDatum(cell, out var d)) cols[names[c]] = d;
                c++;
            }
            rows.Add(new OvsdbRow(cols, 0));
        }
        return rows;
    }

    // ovsdb JSON: an atom, ["uuid","…"], ["named-uuid","…"], ["set",[atoms]], ["map",[[k,v],…]]
    private static bool TryDatum(JsonElement cell, out OvsdbDatum datum)
    {
        datum = new OvsdbDatum();
        if (cell.ValueKind == JsonValueKind.Array && cell.GetArrayLength() == 2 && cell[0].ValueKind == JsonValueKind.String)
        {
            var tag = cell[0].GetString();
            var body = cell[1];
            if (tag == "set" && body.ValueKind == JsonValueKind.Array)
            {
                foreach (var a in body.EnumerateArray()) if (TryAtom(a, out var s)) datum.Atoms.Add(s);
                return true;
            }
            if (tag == "map" && body.ValueKind == JsonValueKind.Array)
            {
                datum.IsMap = true;
                foreach (var pair in body.EnumerateArray())
                    if (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2 && TryAtom(pair[0], out var k) && TryAtom(pair[1], out var v))
                        datum.Map.Add(new(k, v));
                return true;
            }
        }
        if (!TryAtom(cell, out var atom)) return false;
        datum.Atoms.Add(atom);
        return true;
    }

    private static bool TryAtom(JsonElement e, out string atom)
    {
        atom = e.ValueKind switch
        {
            JsonValueKind.String => e.GetString() ?? "",
            JsonValueKind.Number => e.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Array when e.GetArrayLength() == 2 && e[0].ValueKind == JsonValueKind.String &&
                e[0].GetString() is "uuid" or "named-uuid" && e[1].ValueKind == JsonValueKind.String => e[1].GetString() ?? "",
            _ => "\0",
        };
        return atom != "\0";
    }
}
