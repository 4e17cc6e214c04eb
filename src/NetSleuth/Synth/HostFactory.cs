using NetSleuth.Model;

namespace NetSleuth.Synth;

/// <summary>Hosts and their underlay: eth0 on a /24 with a default route via the underlay router.</summary>
internal static class HostFactory
{
    public const long RootInode = 4026531840;
    public static readonly DateTimeOffset CollectedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Host NewHost(string name, string kernel)
    {
        var h = new Host { Name = name };
        h.Meta.Hostname = name;
        h.Meta.Kernel = kernel;
        h.Meta.Iproute2Version = "6.1.0";
        h.Meta.CollectedAt = CollectedAt;
        h.Meta.Origin = "synth";
        return h;
    }

    /// <summary>A root namespace with eth0 = <paramref name="ip"/>/24, default via <paramref name="gateway"/>.</summary>
    public static NsBuilder Root(Host host, uint ip, uint gateway)
    {
        var root = new NsBuilder("root", null, RootInode, isRoot: true);
        var eth0 = root.AddLink("eth0", null, Addressing.UnderlayMac(ip), Addressing.UnderlayMtu, qdisc: "fq_codel");
        eth0.Kind = null;
        root.AddAddress(eth0, ip, 24);
        root.AddRoute(0, 0, gateway, "eth0", protocol: "dhcp").Metric = 100;
        root.AddNeighbor(gateway, "eth0", Addressing.UnderlayMac(gateway));
        host.Namespaces.Add(root.Ns);
        return root;
    }

    /// <summary>A random locally administered unicast MAC, as the kernel gives a veth or bridge.</summary>
    public static MacAddress RandomMac(Random rng)
    {
        ulong v = (ulong)rng.NextInt64(0, 1L << 48);
        v = (v & ~(0x01UL << 40)) | (0x02UL << 40);
        return new MacAddress(v);
    }

    /// <summary>
    /// The name a container runtime gives a pod's network namespace, as `ip netns list` shows it (the bind mount in
    /// /var/run/netns): containerd's CNI namespaces are "cni-" and a UUID, CRI-O's (OpenShift, where OVN-Kubernetes
    /// runs) a bare UUID. Derived from the host and the namespace's inode, not drawn from the generator's random
    /// stream, so the rest of a seeded cluster is the same as before pods had names.
    /// </summary>
    public static string PodNetnsName(string host, long inode, bool containerd)
    {
        ulong h1 = 14695981039346656037, h2 = 1099511628211;
        foreach (char c in host + "/" + inode.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            h1 = (h1 ^ c) * 1099511628211;
            h2 = (h2 ^ c) * 0x100000001b3 + 0x9E3779B97F4A7C15;
        }
        var b = new byte[16];
        BitConverter.TryWriteBytes(b.AsSpan(0, 8), h1);
        BitConverter.TryWriteBytes(b.AsSpan(8, 8), h2);
        b[6] = (byte)((b[6] & 0x0F) | 0x40); // version 4, as both runtimes make them
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        string uuid = Convert.ToHexStringLower(b).Insert(20, "-").Insert(16, "-").Insert(12, "-").Insert(8, "-");
        return containerd ? "cni-" + uuid : uuid;
    }

    public static string Hex(Random rng, int digits)
    {
        const string hex = "0123456789abcdef";
        return string.Create(digits, rng, static (span, r) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = hex[r.Next(16)];
        });
    }
}
