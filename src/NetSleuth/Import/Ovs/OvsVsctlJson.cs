using System.Globalization;
using System.Text.Json;
using NetSleuth.Import.IpJson;
using NetSleuth.Model;

namespace NetSleuth.Import.Ovs;

/// <summary>
/// `ovs-vsctl -f json list bridge|port|interface`: a table of OVSDB values,
/// <code>{"data":[[["uuid","0b7…"],"br-int",["set",[]],["map",[["k","v"]]],…]],"headings":["_uuid","name",…]}</code>
/// where a value is a scalar, ["uuid",U], ["set",[…]] or ["map",[[k,v],…]].
/// </summary>
internal static class OvsVsctlJson
{
    public sealed class Row(Dictionary<string, JsonElement> cells)
    {
        public string? Str(string col) => cells.TryGetValue(col, out var v) ? Scalar(v) : null;
        public int? Int(string col) => int.TryParse(Str(col), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : null;
        public List<string> Set(string col) => cells.TryGetValue(col, out var v) ? SetOf(v) : [];
        public SortedDictionary<string, string> Map(string col) => cells.TryGetValue(col, out var v) ? MapOf(v) : new(StringComparer.Ordinal);
    }

    public static List<Row>? Table(string text, out string? error)
    {
        var values = JsonValues.Split(text, out error);
        if (values is null) return null;
        if (values.Count != 1 || values[0].Obj("headings") is not { } headings || values[0].Obj("data") is not { } data)
        {
            error = "not an ovs-vsctl -f json table";
            return null;
        }
        var cols = headings.Items().Select(h => h.GetString() ?? "").ToList();
        var rows = new List<Row>();
        foreach (var r in data.Items())
        {
            var cells = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            int i = 0;
            foreach (var c in r.Items())
            {
                if (i < cols.Count) cells[cols[i]] = c;
                i++;
            }
            rows.Add(new Row(cells));
        }
        return rows;
    }

    /// <summary>Builds bridges → ports → interfaces from the three tables.</summary>
    public static OvsState Build(List<Row> bridges, List<Row> ports, List<Row> interfaces, SourceRef src)
    {
        var ifByUuid = interfaces.Where(r => r.Str("_uuid") is not null).ToDictionary(r => r.Str("_uuid")!, Interface);
        var portByUuid = new Dictionary<string, OvsPort>();
        foreach (var p in ports)
        {
            if (p.Str("_uuid") is not { } uuid || p.Str("name") is not { } name) continue;
            var port = new OvsPort { Name = name, Tag = p.Int("tag"), Source = src };
            foreach (var t in p.Set("trunks"))
                if (int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int tr)) port.Trunks.Add(tr);
            foreach (var iu in p.Set("interfaces"))
                if (ifByUuid.TryGetValue(iu, out var inf)) port.Interfaces.Add(inf);
            port.Interfaces.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            portByUuid[uuid] = port;
        }
        var state = new OvsState { Source = src };
        foreach (var b in bridges)
        {
            if (b.Str("name") is not { } name) continue;
            var br = new OvsBridge
            {
                Name = name,
                Uuid = b.Str("_uuid"),
                DatapathType = b.Str("datapath_type") is { Length: > 0 } dt ? dt : "system",
                FailMode = b.Str("fail_mode"),
                ExternalIds = b.Map("external_ids"),
                Source = src,
            };
            foreach (var pu in b.Set("ports"))
                if (portByUuid.TryGetValue(pu, out var port)) br.Ports.Add(port);
            br.Ports.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
            state.Bridges.Add(br);
        }
        state.Bridges.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
        return state;
    }

    private static OvsInterface Interface(Row r) => new()
    {
        Name = r.Str("name") ?? "",
        Type = r.Str("type"),
        OfPort = r.Int("ofport"),
        MacInUse = MacAddress.TryParse(r.Str("mac_in_use"), out var m) ? m : null,
        Mac = MacAddress.TryParse(r.Str("mac"), out var m2) ? m2 : null,
        ExternalIds = r.Map("external_ids"),
        Options = r.Map("options"),
        Error = r.Str("error"),
        LinkState = r.Str("link_state"),
        AdminState = r.Str("admin_state"),
    };

    /// <summary>A scalar, a ["uuid",U], or a one-element set; an empty set is null.</summary>
    private static string? Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Array when v.GetArrayLength() == 2 && v[0].GetString() is "uuid" or "named-uuid" => v[1].GetString(),
        JsonValueKind.Array when v.GetArrayLength() == 2 && v[0].GetString() == "set" => SetOf(v) is [var one] ? one : null,
        _ => null,
    };

    private static List<string> SetOf(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2 && v[0].GetString() == "set")
            return v[1].Items().Select(Scalar).OfType<string>().ToList();
        return Scalar(v) is { } s ? [s] : [];
    }

    private static SortedDictionary<string, string> MapOf(JsonElement v)
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2 && v[0].GetString() == "map")
            foreach (var kv in v[1].Items())
                if (kv.GetArrayLength() == 2 && Scalar(kv[0]) is { } k && Scalar(kv[1]) is { } val) d[k] = val;
        return d;
    }
}
