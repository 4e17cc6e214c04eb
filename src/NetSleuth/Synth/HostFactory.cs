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

    public static string Hex(Random rng, int digits)
    {
        const string hex = "0123456789abcdef";
        return string.Create(digits, rng, static (span, r) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = hex[r.Next(16)];
        });
    }
}
