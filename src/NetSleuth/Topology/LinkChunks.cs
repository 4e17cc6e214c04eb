using NetSleuth.Model;

namespace NetSleuth.Topology;

/// <summary>
/// How a full link split its work by host, kept with the topology for <see cref="Relinker"/>: the linker indexes
/// each host's devices (phase 1), links each host's devices (phase 2: veth, parent, master) and namespaces (phase 3:
/// tc mirred, OVS ports) host after host, then links across hosts (OVS tunnels, VXLAN, underlay). Each host's share
/// of <see cref="Topology.DeviceList"/>, of the edges and of the assumptions of phases 1–3 is a contiguous range,
/// recorded here (entry i = where host i's share starts; entry n = where the phase ends).
/// </summary>
internal sealed class LinkChunks(int hosts)
{
    public readonly int[] DeviceStart = new int[hosts + 1];
    public readonly int[] P1Assumption = new int[hosts + 1];
    public readonly int[] P2Edge = new int[hosts + 1];
    public readonly int[] P2Assumption = new int[hosts + 1];
    public readonly int[] P3Edge = new int[hosts + 1];
    public readonly int[] P3Assumption = new int[hosts + 1];
    /// <summary>False when a host's linking changed another host's share (a veth edge replaced across hosts): the
    /// shares cannot be reused.</summary>
    public bool Valid = true;
    /// <summary>Hosts whose phase-2 result depends on other hosts' namespaces: a veth whose peer no namespace of its
    /// own host holds (a lab host is a group of namespaces: the peer may sit in another group once the input has it).</summary>
    public bool[] Pinned = new bool[hosts];
    /// <summary>Hosts joined by veth pairs across hosts share a component: re-linking one re-links all of them.</summary>
    public int[] Component = new int[hosts];

    public void StartP2(Topology t, int host)
    {
        P2Edge[host] = t.AllEdges.Count;
        P2Assumption[host] = t.AllAssumptions.Count;
        t.ChunkStart = t.AllEdges.Count;
    }

    public void StartP3(Topology t, int host)
    {
        P3Edge[host] = t.AllEdges.Count;
        P3Assumption[host] = t.AllAssumptions.Count;
        t.ChunkStart = t.AllEdges.Count;
    }

    /// <summary>After phase 2: which hosts are pinned, which are joined to others by veth (from the veth edges).</summary>
    public void Classify(Topology t)
    {
        int n = Component.Length;
        for (int i = 0; i < n; i++) Component[i] = i;
        if (!Valid) return;
        var hosts = t.Hosts;
        var index = new Dictionary<Host, int>(n, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < n; i++)
            if (!index.TryAdd(hosts[i], i)) { Valid = false; return; } // one host object given twice
        for (int i = 0; i < n; i++)
        {
            for (int k = P2Edge[i]; k < P2Edge[i + 1]; k++)
            {
                var e = t.AllEdges[k];
                if (e.Kind != EdgeKind.Veth) continue;
                if (e.To is null)
                {
                    if (e.From.Link.LinkNetnsName is not null || e.From.Link.LinkNamespace is not null) Pinned[i] = true;
                    continue;
                }
                if (ReferenceEquals(e.From.Host, e.To.Host) && ReferenceEquals(e.From.Host, hosts[i])) continue;
                Union(i, index.GetValueOrDefault(e.From.Host, i));
                Union(i, index.GetValueOrDefault(e.To.Host, i));
            }
        }
        for (int i = 0; i < n; i++) Component[i] = Find(i);
    }

    private int Find(int i)
    {
        while (Component[i] != i) i = Component[i] = Component[Component[i]];
        return i;
    }

    private void Union(int a, int b)
    {
        a = Find(a);
        b = Find(b);
        if (a != b) Component[Math.Max(a, b)] = Math.Min(a, b);
    }
}
