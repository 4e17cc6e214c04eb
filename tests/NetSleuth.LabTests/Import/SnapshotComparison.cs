using NetSleuth.Model;

namespace NetSleuth.LabTests.Import;

/// <summary>
/// Compares an imported host with a collected one for the objects the import shows: every imported
/// fact must be what the collector found; what the import does not show is not compared.
/// Returns the differences, one line each.
/// </summary>
internal static class SnapshotComparison
{
    public static List<string> Differences(Host imported, Host collected)
    {
        var diffs = new List<string>();
        foreach (var ins in imported.Namespaces)
        {
            var cns = collected.FindNamespace(ins.Id);
            if (cns is null)
            {
                if (ins.Links.Count + ins.Routes.Count + ins.Neighbors.Count + ins.Filters.Count > 0)
                    diffs.Add($"namespace {ins.Id}: imported with facts, not collected");
                continue;
            }
            foreach (var s in ins.Known.Where(s => !cns.Known.Contains(s))) diffs.Add($"{ins.Id}: section {s} known by import only");
            foreach (var il in ins.Links) CompareLink(ins.Id, il, cns.FindLink(il.Name), diffs);
            foreach (var r in ins.Routes)
                if (!cns.Routes.Any(c => c.Table == r.Table && c.Type == r.Type && c.Destination == r.Destination &&
                        Equals(c.Gateway, r.Gateway) && c.Device == r.Device && c.Metric == r.Metric))
                    diffs.Add($"{ins.Id}: route '{r}' not collected");
            if (ins.IsKnown(Sections.Routes4) && cns.IsKnown(Sections.Routes4))
                foreach (var c in cns.Routes.Where(x => x.IsV4 && x.Table == RouteTables.Main))
                    if (!ins.Routes.Any(r => r.Table == c.Table && r.Destination == c.Destination && r.Type == c.Type))
                        diffs.Add($"{ins.Id}: collected route '{c}' missing from an import that knows the table");
            foreach (var n in ins.Neighbors)
            {
                var c = cns.Neighbors.FirstOrDefault(x => x.Address.Equals(n.Address) && x.Device == n.Device && x.Proxy == n.Proxy);
                if (c is null) { diffs.Add($"{ins.Id}: neighbour '{n}' not collected"); continue; }
                // a learned entry ages (REACHABLE → STALE) between the transcript and the collection: only a static one keeps its state
                bool stat = n.State.Contains("PERMANENT") || n.State.Contains("NOARP");
                if (c.Mac != n.Mac || (stat && !c.State.SequenceEqual(n.State))) diffs.Add($"{ins.Id}: neighbour '{n}' collected as '{c}'");
            }
            foreach (var f in ins.Filters)
            {
                var c = cns.Filters.FirstOrDefault(x => x.Device == f.Device && x.Direction == f.Direction && x.Pref == f.Pref && x.Kind == f.Kind);
                if (c is null) { diffs.Add($"{ins.Id}: tc filter {f.Device} {f.Direction} pref {f.Pref} not collected"); continue; }
                if (c.MatchesAll != f.MatchesAll) diffs.Add($"{ins.Id}: tc filter {f.Device}: matchesAll {f.MatchesAll} vs {c.MatchesAll}");
                var ia = string.Join(",", f.Actions.Select(a => $"{a.Kind}/{a.MirredDirection}/{a.MirredAction}/{a.TargetDevice}/{a.Control}"));
                var ca = string.Join(",", c.Actions.Select(a => $"{a.Kind}/{a.MirredDirection}/{a.MirredAction}/{a.TargetDevice}/{a.Control}"));
                if (ia != ca) diffs.Add($"{ins.Id}: tc filter {f.Device} actions {ia} vs {ca}");
            }
        }
        return diffs;
    }

    private static void CompareLink(string ns, Link i, Link? c, List<string> diffs)
    {
        if (c is null) { diffs.Add($"{ns}: link {i.Name} not collected"); return; }
        void Eq<T>(string what, T imported, T collected)
        {
            if (!EqualityComparer<T>.Default.Equals(imported, collected)) diffs.Add($"{ns}/{i.Name}: {what} imported {imported}, collected {collected}");
        }
        if (i.Index > 0) Eq("index", i.Index, c.Index);
        if (i.Mac is not null) Eq("mac", i.Mac, c.Mac);
        if (i.Mtu is not null) Eq("mtu", i.Mtu, c.Mtu);
        if (i.Flags.Count > 0) Eq("flags", string.Join(",", i.Flags.Order()), string.Join(",", c.Flags.Order()));
        if (i.OperState is not null) Eq("operstate", i.OperState, c.OperState);
        Eq("master", i.Master, c.Master);
        if (i.DetailsKnown) Eq("kind", i.Kind, c.Kind);
        if (i.LinkIndex is not null) Eq("link index", i.LinkIndex, c.LinkIndex);
        if (i.LinkNamespace is not null) Eq("link namespace", i.LinkNamespace, c.LinkNamespace);
        if (i.Vxlan is { } iv)
        {
            var cv = c.Vxlan;
            Eq("vni", iv.Vni, cv?.Vni);
            Eq("remote", iv.Remote?.ToString(), cv?.Remote?.ToString());
            Eq("local", iv.Local?.ToString(), cv?.Local?.ToString());
            Eq("dstport", iv.DstPort, cv?.DstPort);
            Eq("learning", iv.Learning, cv?.Learning);
            Eq("df", iv.Df, cv?.Df);
            Eq("underlay device", iv.UnderlayDevice, cv?.UnderlayDevice);
        }
        if (i.Addresses.Count > 0)
            Eq("addresses", string.Join(" ", i.Addresses.Select(a => a.Prefix.ToString()).Order()), string.Join(" ", c.Addresses.Select(a => a.Prefix.ToString()).Order()));
    }
}
