using System.Globalization;

namespace NetSleuth.Lab.Fuzz;

/// <summary>
/// Seed → a random lab: 2–3 hosts (a namespace standing for each root) joined by an underlay (a veth, or a
/// Linux bridge in a switch namespace), pods on each host (routed with /32 routes and a gateway on a dummy
/// device, or on a Linux bridge; some with on-link routes and proxy_arp), the hosts' pod subnets joined
/// directly, by a VXLAN device with a remote, or by remote-less VXLAN devices driven by FDB entries (with
/// permanent neighbours, or ARP across the tunnel through an all-zero FDB entry), policy rules, permanent
/// neighbours, peer-pods pairs (tc mirred redirects between a pod's veth and an x-netns VXLAN device to a pod
/// namespace on another host); then 0–3 faults; then probes (ICMP, UDP, TCP, with sizes). Addresses are 10.x
/// only. The same seed gives the same case, whatever the prefix.
/// </summary>
public sealed class FuzzGenerator
{
    /// <summary>Every fault the generator can place.</summary>
    public static readonly string[] AllFaults =
    [
        "wrong-mac", "link-down", "no-route", "blackhole", "unreachable-route", "ip-forward-off", "rp-filter", "iptables-drop",
        "nft-drop", "mtu", "vni-mismatch", "port-mismatch", "remote-mismatch", "moved-veth", "released-port", "arp-ignore",
        "proxy-arp-off", "wrong-fdb",
    ];

    private sealed record Dev(string Ns, string Name, string Mac, string Role);
    private sealed record Addr(string Ns, string Ip, string Host);

    private readonly Random _r;
    private readonly string _p;
    private readonly List<FuzzCommand> _cmds = [];
    private readonly List<Dev> _devs = [];
    private readonly List<Addr> _addrs = [];
    private readonly List<(string Ns, string[] Route)> _routes = [];
    private readonly List<string> _features = [];
    private readonly List<string> _faults = [];
    private readonly List<FuzzHost> _hosts = [];
    private readonly List<string> _extra = [];
    private readonly Dictionary<string, List<string>> _hostNs = [];
    private readonly List<(string Ns, string Dev, string Ip, string Mac)> _perm = [];
    private readonly List<string> _forwarders = [];
    private readonly List<(string Ns, string Dev)> _vxlans = [];
    private readonly List<(string Ns, string Dev, string Bridge)> _ports = [];
    private readonly List<(string Ns, string Dev)> _proxyArp = [];
    private readonly List<(string Ns, string Dev, string Mac)> _fdb = [];
    private readonly List<string> _gwHosts = [];
    private int _mac;
    private string _tag = "";

    private readonly int _seed;

    private FuzzGenerator(int seed, string prefix)
    {
        _seed = seed;
        _r = new Random(seed);
        _p = prefix;
    }

    public static FuzzCase Generate(int seed, string prefix)
    {
        var g = new FuzzGenerator(seed, prefix);
        return g.Build(seed);
    }

    private FuzzCase Build(int seed)
    {
        int nHosts = _r.NextDouble() < 0.3 ? 3 : 2;
        // the faults that change how a tunnel is made are chosen first, the others after the build
        var planned = new List<string>();
        int nFaults = _r.Next(0, 4);
        for (int i = 0; i < nFaults; i++)
        {
            var f = AllFaults[_r.Next(AllFaults.Length)];
            if (!planned.Contains(f)) planned.Add(f);
        }
        for (int h = 1; h <= nHosts; h++) Host(h);
        Underlay(nHosts);
        var mode = Pick("direct", "vxlan-remote", "vxlan-fdb", "vxlan-fdb-arp");
        if (mode == "vxlan-remote" && nHosts > 2) mode = "vxlan-fdb";
        _features.Add("interhost:" + mode);
        for (int h = 1; h <= nHosts; h++)
        {
            bool bridged = _r.NextDouble() < 0.5;
            _features.Add($"h{h}:" + (bridged ? "bridge" : "routed"));
            int pods = _r.Next(1, 4);
            if (!bridged) Gateway(h);
            for (int k = 1; k <= pods; k++) Pod(h, k, bridged);
        }
        bool policy = _r.NextDouble() < 0.35;
        if (policy) _features.Add("policy-rules");
        for (int h = 1; h <= nHosts; h++) InterHost(h, nHosts, mode, policy, planned);
        if (_r.NextDouble() < 0.45)
        {
            int a = _r.Next(1, nHosts + 1), b = a % nHosts + 1;
            PeerPods(a, b, planned);
        }
        foreach (var f in planned) Fault(f);
        var probes = Probes(nHosts);
        foreach (var (name, root) in _hosts.Select(h => (h.Name, h.Root)).ToList())
        {
            var i = _hosts.FindIndex(x => x.Name == name);
            _hosts[i] = _hosts[i] with { Others = _hostNs[name] };
        }
        return new FuzzCase(seed, _p, _hosts, _extra, _cmds, _faults, _features, probes);
    }

    // ---- building blocks -------------------------------------------------------------------------------

    private string Ns(string role) => LabPaths.Ns(_p, role);

    private string Mac() => string.Create(CultureInfo.InvariantCulture, $"02:f2:{_r.Next(256):x2}:{_r.Next(256):x2}:{(_mac >> 8) & 255:x2}:{_mac++ & 255:x2}");

    private T Pick<T>(params T[] items) => items[_r.Next(items.Length)];

    private void Cmd(bool essential, params string[] argv) => _cmds.Add(new FuzzCommand(argv, essential, _tag));
    private void Ip(string ns, params string[] args) => Cmd(false, ["ip", "-n", ns, .. args]);
    private void Exec(string ns, params string[] args) => Cmd(false, ["ip", "netns", "exec", ns, .. args]);
    private void Sysctl(string ns, string key, string value) => Exec(ns, "sysctl", "-q", "-w", $"{key}={value}");

    /// <summary>A namespace with IPv6 off and lo up (the runner makes ARP fail fast on every device once built).</summary>
    private void Namespace(string ns)
    {
        Cmd(true, "ip", "netns", "add", ns);
        Cmd(true, "ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        Cmd(true, "ip", "-n", ns, "link", "set", "lo", "up");
    }

    private void Host(int h)
    {
        _tag = $"host h{h}";
        var root = Ns($"h{h}");
        Namespace(root);
        _hosts.Add(new FuzzHost($"h{h}", root, []));
        _hostNs[$"h{h}"] = [];
        Sysctl(root, "net.ipv4.ip_forward", "1");
        _forwarders.Add(root);
    }

    private void Underlay(int n)
    {
        _tag = "underlay";
        if (n == 2)
        {
            string m1 = Mac(), m2 = Mac();
            Ip(Ns("h1"), "link", "add", "ul", "address", m1, "type", "veth", "peer", "name", "ul", "address", m2, "netns", Ns("h2"));
            _devs.Add(new Dev(Ns("h1"), "ul", m1, "underlay"));
            _devs.Add(new Dev(Ns("h2"), "ul", m2, "underlay"));
        }
        else
        {
            var sw = Ns("sw");
            Namespace(sw);
            _extra.Add(sw);
            Ip(sw, "link", "add", "sw0", "type", "bridge");
            Ip(sw, "link", "set", "sw0", "up");
            for (int h = 1; h <= n; h++)
            {
                var m = Mac();
                Ip(Ns($"h{h}"), "link", "add", "ul", "address", m, "type", "veth", "peer", "name", $"h{h}", "netns", sw);
                Ip(sw, "link", "set", $"h{h}", "master", "sw0");
                Ip(sw, "link", "set", $"h{h}", "up");
                _devs.Add(new Dev(Ns($"h{h}"), "ul", m, "underlay"));
            }
        }
        for (int h = 1; h <= n; h++)
        {
            var ns = Ns($"h{h}");
            Ip(ns, "addr", "add", $"10.0.0.{h}/24", "dev", "ul");
            Ip(ns, "link", "set", "ul", "up");
            _addrs.Add(new Addr(ns, $"10.0.0.{h}", $"h{h}"));
        }
    }

    /// <summary>The gateway of a routed host's pods: 10.254.H.1 on a dummy device (answered through arp_ignore 0).</summary>
    private void Gateway(int h)
    {
        _tag = $"gateway h{h}";
        var ns = Ns($"h{h}");
        Ip(ns, "link", "add", "gw0", "type", "dummy");
        Ip(ns, "addr", "add", $"10.254.{h}.1/32", "dev", "gw0");
        Ip(ns, "link", "set", "gw0", "up");
        _addrs.Add(new Addr(ns, $"10.254.{h}.1", $"h{h}"));
        _gwHosts.Add(ns);
    }

    private void Pod(int h, int k, bool bridged)
    {
        _tag = $"pod h{h}p{k}";
        var host = Ns($"h{h}");
        var pod = Ns($"h{h}p{k}");
        _hostNs[$"h{h}"].Add(pod);
        Namespace(pod);
        string podMac = Mac(), hostMac = Mac();
        var ip = $"10.{10 + h}.0.{10 + k}";
        Ip(pod, "link", "add", "eth0", "address", podMac, "type", "veth", "peer", "name", $"vp{k}", "address", hostMac, "netns", host);
        _devs.Add(new Dev(pod, "eth0", podMac, "pod"));
        _devs.Add(new Dev(host, $"vp{k}", hostMac, "podveth"));
        _addrs.Add(new Addr(pod, ip, $"h{h}"));
        if (bridged)
        {
            if (k == 1)
            {
                var brMac = Mac();
                Ip(host, "link", "add", "br0", "address", brMac, "type", "bridge");
                Ip(host, "addr", "add", $"10.{10 + h}.0.1/24", "dev", "br0");
                Ip(host, "link", "set", "br0", "up");
                _devs.Add(new Dev(host, "br0", brMac, "bridge"));
                _addrs.Add(new Addr(host, $"10.{10 + h}.0.1", $"h{h}"));
            }
            Ip(host, "link", "set", $"vp{k}", "master", "br0");
            Ip(host, "link", "set", $"vp{k}", "up");
            _ports.Add((host, $"vp{k}", "br0"));
            Ip(pod, "addr", "add", ip + "/24", "dev", "eth0");
            Ip(pod, "link", "set", "eth0", "up");
            Ip(pod, "route", "add", "default", "via", $"10.{10 + h}.0.1", "dev", "eth0");
            _routes.Add((pod, ["default", "via", $"10.{10 + h}.0.1", "dev", "eth0"]));
            var brMacNow = _devs.First(d => d.Ns == host && d.Name == "br0").Mac;
            if (_r.NextDouble() < 0.25) Perm(pod, "eth0", $"10.{10 + h}.0.1", brMacNow);
            if (_r.NextDouble() < 0.25) Perm(host, "br0", ip, podMac);
        }
        else
        {
            Ip(host, "link", "set", $"vp{k}", "up");
            Ip(host, "route", "add", ip + "/32", "dev", $"vp{k}");
            _routes.Add((host, [ip + "/32", "dev", $"vp{k}"]));
            Ip(pod, "addr", "add", ip + "/32", "dev", "eth0");
            Ip(pod, "link", "set", "eth0", "up");
            Ip(pod, "route", "add", $"10.254.{h}.1", "dev", "eth0", "scope", "link");
            Ip(pod, "route", "add", "default", "via", $"10.254.{h}.1", "dev", "eth0");
            _routes.Add((pod, ["default", "via", $"10.254.{h}.1", "dev", "eth0"]));
            if (_r.NextDouble() < 0.35)
            {
                // the other pods of the host on-link: the host answers for them by proxy_arp
                Ip(pod, "route", "add", $"10.{10 + h}.0.0/24", "dev", "eth0", "scope", "link");
                _routes.Add((pod, [$"10.{10 + h}.0.0/24", "dev", "eth0", "scope", "link"]));
                Sysctl(host, $"net.ipv4.conf.vp{k}.proxy_arp", "1");
                _proxyArp.Add((host, $"vp{k}"));
                _features.Add("proxy-arp");
            }
            if (_r.NextDouble() < 0.25) Perm(pod, "eth0", $"10.254.{h}.1", hostMac);
            if (_r.NextDouble() < 0.25) Perm(host, $"vp{k}", ip, podMac);
        }
    }

    private void Perm(string ns, string dev, string ip, string mac)
    {
        Ip(ns, "neigh", "replace", ip, "lladdr", mac, "dev", dev, "nud", "permanent");
        _perm.Add((ns, dev, ip, mac));
        if (!_features.Contains("permanent-neighbour")) _features.Add("permanent-neighbour");
    }

    private readonly Dictionary<int, string> _vxMac = [];

    private void InterHost(int h, int n, string mode, bool policy, List<string> planned)
    {
        _tag = $"interhost h{h}";
        var ns = Ns($"h{h}");
        string table = policy ? "100" : "main";
        if (mode != "direct")
        {
            if (!_vxMac.ContainsKey(h)) for (int x = 1; x <= n; x++) _vxMac[x] = Mac();
            int vni = 42, port = 8472;
            string? remote = mode == "vxlan-remote" ? $"10.0.0.{h % n + 1}" : null;
            if (h == n && planned.Remove("vni-mismatch")) { vni = 43; _faults.Add("vni-mismatch"); }
            if (h == n && planned.Remove("port-mismatch")) { port = 8473; _faults.Add("port-mismatch"); }
            if (h == n && remote is not null && planned.Remove("remote-mismatch")) { remote = "10.0.0.9"; _faults.Add("remote-mismatch"); }
            var argv = new List<string> { "link", "add", "vx0", "address", _vxMac[h], "type", "vxlan", "id", vni.ToString(CultureInfo.InvariantCulture),
                "dstport", port.ToString(CultureInfo.InvariantCulture) };
            if (remote is not null) argv.AddRange(["remote", remote]);
            argv.AddRange(["local", $"10.0.0.{h}", "dev", "ul"]);
            if (mode != "vxlan-remote") argv.Add("nolearning");
            Ip(ns, [.. argv]);
            Ip(ns, "addr", "add", $"10.100.0.{h}/24", "dev", "vx0");
            Ip(ns, "link", "set", "vx0", "up");
            _devs.Add(new Dev(ns, "vx0", _vxMac[h], "vxlan"));
            _vxlans.Add((ns, "vx0"));
            _addrs.Add(new Addr(ns, $"10.100.0.{h}", $"h{h}"));
        }
        for (int j = 1; j <= n; j++)
        {
            if (j == h) continue;
            string[] route = mode == "direct"
                ? [$"10.{10 + j}.0.0/16", "via", $"10.0.0.{j}", "dev", "ul"]
                : mode == "vxlan-remote"
                    ? [$"10.{10 + j}.0.0/16", "via", $"10.100.0.{j}", "dev", "vx0"]
                    : [$"10.{10 + j}.0.0/16", "via", $"10.100.0.{j}", "dev", "vx0", "onlink"];
            if (mode == "vxlan-fdb")
            {
                Cmd(false, "bridge", "-n", ns, "fdb", "append", _vxMac[j], "dev", "vx0", "dst", $"10.0.0.{j}");
                _fdb.Add((ns, "vx0", _vxMac[j]));
                Perm(ns, "vx0", $"10.100.0.{j}", _vxMac[j]);
            }
            else if (mode == "vxlan-fdb-arp")
                Cmd(false, "bridge", "-n", ns, "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", $"10.0.0.{j}");
            Ip(ns, ["route", "add", .. route, "table", table]);
            _routes.Add((ns, [.. route, "table", table]));
            if (policy)
                Ip(ns, "rule", "add", "to", $"10.{10 + j}.0.0/16", "lookup", "100", "pref", (1000 + j).ToString(CultureInfo.InvariantCulture));
        }
    }

    private void PeerPods(int a, int b, List<string> planned)
    {
        _tag = $"peer-pods h{a}→h{b}";
        _features.Add("peer-pods");
        string host = Ns($"h{a}"), far = Ns($"h{b}"), wkpod = Ns($"h{a}w"), vmpod = Ns($"h{b}v");
        _hostNs[$"h{a}"].Add(wkpod);
        _hostNs[$"h{b}"].Add(vmpod);
        Namespace(wkpod);
        Namespace(vmpod);
        string mw = Mac(), mq = Mac(), mp = Mac(), mv = Mac();
        int vni = 500 + a, port = 4789;
        Ip(wkpod, "link", "add", "eth0", "address", mw, "type", "veth", "peer", "name", "vq", "address", mq, "netns", host);
        Ip(host, "addr", "add", $"10.{10 + a}.1.1/24", "dev", "vq");
        Ip(host, "link", "set", "vq", "up");
        Ip(wkpod, "link", "set", "eth0", "up");
        _devs.Add(new Dev(wkpod, "eth0", mw, "pod"));
        _devs.Add(new Dev(host, "vq", mq, "podveth"));
        _addrs.Add(new Addr(host, $"10.{10 + a}.1.1", $"h{a}"));
        // the pod's VXLAN device: made in the host (its socket stays there), moved into the pod
        Ip(host, "link", "add", "vxp", "address", mp, "type", "vxlan", "id", vni.ToString(CultureInfo.InvariantCulture), "dstport", port.ToString(CultureInfo.InvariantCulture),
            "remote", $"10.0.0.{b}", "local", $"10.0.0.{a}", "dev", "ul", "nolearning");
        Ip(host, "link", "set", "vxp", "netns", wkpod);
        Ip(wkpod, "link", "set", "vxp", "up");
        _devs.Add(new Dev(wkpod, "vxp", mp, "vxlan"));
        _vxlans.Add((wkpod, "vxp"));
        foreach (var (from, to) in new[] { ("eth0", "vxp"), ("vxp", "eth0") })
        {
            Exec(wkpod, "tc", "qdisc", "add", "dev", from, "ingress");
            Exec(wkpod, "tc", "filter", "add", "dev", from, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0",
                "action", "mirred", "egress", "redirect", "dev", to);
        }
        _features.Add("tc-mirred");
        int farVni = vni, farPort = port;
        string farRemote = $"10.0.0.{a}";
        if (planned.Remove("vni-mismatch")) { farVni++; _faults.Add("vni-mismatch"); }
        else if (planned.Remove("port-mismatch")) { farPort++; _faults.Add("port-mismatch"); }
        else if (planned.Remove("remote-mismatch")) { farRemote = "10.0.0.9"; _faults.Add("remote-mismatch"); }
        Ip(far, "link", "add", "vxv", "address", mv, "type", "vxlan", "id", farVni.ToString(CultureInfo.InvariantCulture), "dstport", farPort.ToString(CultureInfo.InvariantCulture),
            "remote", farRemote, "local", $"10.0.0.{b}", "dev", "ul", "nolearning");
        Ip(far, "link", "set", "vxv", "netns", vmpod);
        Ip(vmpod, "addr", "add", $"10.{10 + a}.1.2/24", "dev", "vxv");
        Ip(vmpod, "link", "set", "vxv", "up");
        Ip(vmpod, "route", "add", "default", "via", $"10.{10 + a}.1.1", "dev", "vxv");
        _routes.Add((vmpod, ["default", "via", $"10.{10 + a}.1.1", "dev", "vxv"]));
        _devs.Add(new Dev(vmpod, "vxv", mv, "vxlan"));
        _vxlans.Add((vmpod, "vxv"));
        _addrs.Add(new Addr(vmpod, $"10.{10 + a}.1.2", $"h{b}"));
        _features.Add("x-netns-vxlan");
        if (_r.NextDouble() < 0.5 || planned.Contains("wrong-mac")) Perm(host, "vq", $"10.{10 + a}.1.2", mv);
    }

    // ---- faults ------------------------------------------------------------------------------------------

    private void Fault(string f)
    {
        _tag = "fault " + f;
        switch (f)
        {
            case "wrong-mac" when _perm.Count > 0:
            {
                var (ns, dev, ip, mac) = _perm[_r.Next(_perm.Count)];
                // the MAC of another device (a veth end behind a redirect, a peer), or one nobody has
                var other = _devs.Where(d => d.Mac != mac).Select(d => d.Mac).ToList();
                var wrong = _r.NextDouble() < 0.7 && other.Count > 0 ? other[_r.Next(other.Count)] : Mac();
                Ip(ns, "neigh", "replace", ip, "lladdr", wrong, "dev", dev, "nud", "permanent");
                break;
            }
            case "link-down":
            {
                var d = _devs[_r.Next(_devs.Count)];
                Ip(d.Ns, "link", "set", d.Name, "down");
                break;
            }
            case "no-route" when _routes.Count > 0:
            {
                var (ns, route) = _routes[_r.Next(_routes.Count)];
                Ip(ns, ["route", "del", .. route]);
                break;
            }
            case "blackhole" or "unreachable-route":
            {
                var a = _addrs[_r.Next(_addrs.Count)];
                var ns = Pick(_hosts.Select(h => h.Root).ToArray());
                Ip(ns, "route", "add", f == "blackhole" ? "blackhole" : Pick("unreachable", "prohibit"), a.Ip + "/32");
                break;
            }
            case "ip-forward-off":
                Sysctl(_forwarders[_r.Next(_forwarders.Count)], "net.ipv4.ip_forward", "0");
                break;
            case "rp-filter":
            {
                // an asymmetric route to a pod address elsewhere, then the reverse-path filter on
                var ns = Pick(_hosts.Select(h => h.Root).ToArray());
                var far = _addrs.Where(a => a.Ns != ns).ToList();
                if (far.Count == 0) return;
                var a = far[_r.Next(far.Count)];
                Ip(ns, "link", "add", "rp0", "type", "dummy");
                Ip(ns, "link", "set", "rp0", "up");
                Ip(ns, "route", "add", a.Ip + "/32", "dev", "rp0");
                Sysctl(ns, "net.ipv4.conf.all.rp_filter", Pick("1", "2"));
                break;
            }
            case "iptables-drop":
            {
                var ns = Pick(_hosts.Select(h => h.Root).Concat(_hostNs.Values.SelectMany(v => v)).ToArray());
                var a = _addrs[_r.Next(_addrs.Count)];
                var argv = new List<string> { "iptables", "-A", Pick("INPUT", "FORWARD", "OUTPUT") };
                var proto = Pick("icmp", "udp", "tcp", "all");
                if (proto != "all") argv.AddRange(["-p", proto]);
                if (proto is "udp" or "tcp" && _r.NextDouble() < 0.5) argv.AddRange(["--dport", "7777"]);
                if (_r.NextDouble() < 0.6) argv.AddRange([Pick("-d", "-s"), a.Ip]);
                argv.AddRange(["-j", Pick("DROP", "REJECT")]);
                Exec(ns, [.. argv]);
                break;
            }
            case "nft-drop":
            {
                var ns = Pick(_hosts.Select(h => h.Root).Concat(_hostNs.Values.SelectMany(v => v)).ToArray());
                var a = _addrs[_r.Next(_addrs.Count)];
                var hook = Pick("input", "forward", "output", "prerouting");
                Exec(ns, "nft", "add", "table", "inet", "fz");
                Exec(ns, "nft", "add", "chain", "inet", "fz", "c", $"{{ type filter hook {hook} priority 0; policy accept; }}");
                var rule = new List<string> { "nft", "add", "rule", "inet", "fz", "c", "ip", Pick("daddr", "saddr"), a.Ip };
                var proto = Pick("icmp", "udp", "tcp", "");
                if (proto.Length > 0) rule.AddRange(["meta", "l4proto", proto]);
                rule.Add(Pick("drop", "reject"));
                Exec(ns, [.. rule]);
                break;
            }
            case "mtu":
            {
                var d = _devs[_r.Next(_devs.Count)];
                Ip(d.Ns, "link", "set", d.Name, "mtu", _r.Next(1100, 1400).ToString(CultureInfo.InvariantCulture));
                break;
            }
            case "moved-veth":
            {
                var pods = _devs.Where(d => d.Role is "pod" or "podveth").ToList();
                if (pods.Count == 0) return;
                var d = pods[_r.Next(pods.Count)];
                var to = Pick(_hosts.Select(h => h.Root).Concat(_hostNs.Values.SelectMany(v => v)).Where(n => n != d.Ns).ToArray());
                Ip(d.Ns, "link", "set", d.Name, "netns", to);
                break;
            }
            case "released-port" when _ports.Count > 0:
            {
                var (ns, dev, _) = _ports[_r.Next(_ports.Count)];
                Ip(ns, "link", "set", dev, "nomaster");
                break;
            }
            case "arp-ignore" when _gwHosts.Count > 0:
                Sysctl(_gwHosts[_r.Next(_gwHosts.Count)], "net.ipv4.conf.all.arp_ignore", Pick("1", "2"));
                break;
            case "proxy-arp-off" when _proxyArp.Count > 0:
            {
                var (ns, dev) = _proxyArp[_r.Next(_proxyArp.Count)];
                Sysctl(ns, $"net.ipv4.conf.{dev}.proxy_arp", "0");
                break;
            }
            case "wrong-fdb" when _fdb.Count > 0:
            {
                var (ns, dev, mac) = _fdb[_r.Next(_fdb.Count)];
                Cmd(false, "bridge", "-n", ns, "fdb", "replace", mac, "dev", dev, "dst", "10.0.0.9");
                break;
            }
            default:
                return; // not applicable to this topology
        }
        _faults.Add(f);
    }

    // ---- probes -----------------------------------------------------------------------------------------

    private List<FuzzProbe> Probes(int nHosts)
    {
        var sources = new List<(string Host, string Ns)>();
        foreach (var h in _hosts)
        {
            sources.Add((h.Name, h.Root));
            foreach (var o in _hostNs[h.Name]) if (_addrs.Any(a => a.Ns == o)) sources.Add((h.Name, o));
        }
        var targets = _addrs.ToList();
        var list = new List<FuzzProbe>();
        int n = _r.Next(4, 7);
        for (int i = 0; i < n; i++)
        {
            var (host, ns) = sources[_r.Next(sources.Count)];
            string target;
            string? listen;
            if (_r.NextDouble() < 0.08)
            {
                target = $"10.{10 + _r.Next(1, nHosts + 1)}.0.99"; // nobody has it
                listen = null;
            }
            else
            {
                var t = targets[_r.Next(targets.Count)];
                target = t.Ip;
                listen = t.Ns;
            }
            double x = _r.NextDouble();
            var proto = x < 0.65 ? "icmp" : x < 0.85 ? "udp" : "tcp";
            int? port = proto == "icmp" ? null : _r.NextDouble() < 0.5 ? 7777 : _r.Next(2000, 9000);
            // small probes get a size of their own (not ping's 84), so other traffic on devices of the same name is not
            // taken for theirs by the tracepoints' lengths (no random number drawn: the seeds' cases stay as they were)
            int size = proto != "tcp" && _r.NextDouble() < 0.3 ? _r.Next(1150, 1501) : 100 + (_seed * 31 + i * 37) % 150;
            list.Add(new FuzzProbe(i, host, ns, target, proto, port, size, true, listen));
        }
        return list;
    }
}
