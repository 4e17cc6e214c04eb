using System.Globalization;
using System.Text;

namespace NetSleuth.Bench;

/// <summary>
/// Writes the inputs of the import benchmark for a <see cref="BigHost"/> of about N links:
/// <list type="bullet">
/// <item>a terminal transcript of an investigation (<see cref="WriteTranscript"/>): the root namespace's
/// listings, then for every pod `NS=cni-…` and `ip netns exec $NS …` / `ip -n $NS …` commands, some inside an
/// `ip netns exec $NS bash` shell, some through `| grep`, some commands netsleuth does not read;</item>
/// <item>an extracted sosreport of the same host (<see cref="WriteSosReport"/>) in the sos ≥ 4.3 layout
/// (per-namespace files under sos_commands/networking/namespaces/NS/) or the sos 4.0 flat layout.</item>
/// </list>
/// </summary>
internal static class ImportGen
{
    public sealed record Stats(long Bytes, long Lines, int Files, int Namespaces, int Links, int RootRoutes);

    private const string Prompt = "[root@" + BigHost.Name + " ~]# ";

    public static Stats WriteTranscript(BigHost h, string path)
    {
        using var counter = new CountingWriter(path);
        var w = counter.Writer;
        void Cmd(string command) => w.Write(Prompt + command + "\n");
        Cmd("uname -r");
        w.Write("6.1.0-27-amd64\n");
        Cmd("ip -d link show");
        h.WriteRootLinks(w, details: true, addresses: false, stats: false);
        Cmd("ip a");
        h.WriteRootLinks(w, details: false, addresses: true, stats: false);
        Cmd("ip route show table all");
        h.RootRoutes(w);
        Cmd("ip neigh");
        h.RootNeighbors(w, stats: false);
        Cmd("bridge fdb show");
        h.RootFdb(w);
        Cmd("tc qdisc show");
        h.RootQdiscs(w, stats: false);
        for (int t = 0; t < h.Taps; t += 50)
        {
            Cmd("tc filter show dev " + h.Tap(t) + " ingress");
            BigHost.TapIngressFilter(w, t);
        }
        Cmd("iptables-save");
        h.RootIptablesSave(w);
        Cmd("nft list ruleset");
        BigHost.RootNft(w);
        Cmd("ovs-vsctl show");
        h.OvsShow(w);
        Cmd("ip netns");
        for (int i = h.Pods - 1; i >= 0; i--) w.Write(h.Ns(i) + " (id: " + i.ToString(CultureInfo.InvariantCulture) + ")\n");
        for (int i = 0; i < h.Pods; i++)
        {
            Cmd("NS=" + h.Ns(i));
            if (i % 100 == 7)
            {
                // a shell inside the pod's namespace: the prompt does not change
                Cmd("ip netns exec $NS bash");
                Cmd("ip -d a");
                h.PodAddresses(w, i, details: true);
                Cmd("ip r show table all");
                h.PodRoutes(w, i);
                Cmd("ping -c 1 -W 1 198.51.100.1");
                w.Write("PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.\n64 bytes from 198.51.100.1: icmp_seq=1 ttl=63 time=0.412 ms\n\n");
                w.Write("--- 198.51.100.1 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.412/0.412/0.412/0.000 ms\n");
                Cmd("exit");
                w.Write("exit\n");
                continue;
            }
            Cmd("ip netns exec $NS ip -d addr");
            h.PodAddresses(w, i, details: true);
            Cmd("ip netns exec $NS ip route show table all");
            h.PodRoutes(w, i);
            Cmd("ip -n $NS neigh");
            h.PodNeighbors(w, stats: false);
            if (i % 10 == 3)
            {
                Cmd("ip -n ${NS} link show eth0");
                w.Write(string.Create(CultureInfo.InvariantCulture, $"2: eth0@if{BigHost.PodIfIndex(i)}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n"));
                w.Write("    link/ether " + h.PodMac(i) + " brd ff:ff:ff:ff:ff:ff link-netnsid 0\n");
                Cmd("ip neigh | grep " + h.Cali(i));
                w.Write(h.PodIp(i) + " dev " + h.Cali(i) + " lladdr " + h.PodMac(i) + " STALE \n");
            }
            if (i % 25 == 11)
            {
                Cmd("ip netns exec $NS iptables-save");
                Cmd("ip netns exec $NS tc qdisc show");
                w.Write("qdisc noqueue 0: dev lo root refcnt 2 \nqdisc noqueue 0: dev eth0 root refcnt 2 \n");
            }
        }
        Cmd("");
        return counter.Finish(files: 1, h);
    }

    /// <summary>Writes the sosreport directory <paramref name="dir"/> (name it like sos does: sosreport-HOST-…) and returns its statistics.</summary>
    public static Stats WriteSosReport(BigHost h, string dir, bool flatLayout, string fixtures)
    {
        var root = dir;
        var total = new Stats(0, 0, 0, h.Pods + 1, h.TotalLinks, h.RootRouteCount);
        void File_(string rel, Action<TextWriter> write)
        {
            var path = Path.Combine(root, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var c = new CountingWriter(path);
            write(c.Writer);
            var s = c.Finish(1, h);
            total = total with { Bytes = total.Bytes + s.Bytes, Lines = total.Lines + s.Lines, Files = total.Files + 1 };
        }
        var sos = Path.Combine(fixtures, "sosreport", "sos-4.3-layout");
        var fixture = Directory.GetDirectories(sos).Single();
        var podSysctl = File.ReadAllLines(Directory.GetFiles(Path.Combine(fixture, "sos_commands/networking/namespaces/nimb_pod_14766"), "*sysctl_-a").Single())
            .Where(l => !l.Contains(".vxlan1.", StringComparison.Ordinal)).ToArray();
        var rootSysctl = File.ReadAllLines(Path.Combine(fixture, "sos_commands/kernel/sysctl_-a"));
        var perDevice = rootSysctl.Where(l => l.Contains(".ens3.", StringComparison.Ordinal)).ToArray();

        File_("version.txt", w => w.Write("sosreport: 4.5.6\n"));
        File_("hostname", w => w.Write(BigHost.Name + "\n"));
        File_("uname", w => w.Write("Linux " + BigHost.Name + " 6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01) x86_64 GNU/Linux\n"));
        File_("sos_reports/manifest.json", w => w.Write("{\n  \"version\": \"4.5.6\",\n  \"cmdline\": \"report --batch -o networking,openvswitch,kernel,host,firewall_tables\",\n  \"policy\": \"Debian\"\n}"));
        File_("sos_commands/kernel/sysctl_-a", w =>
        {
            foreach (var l in rootSysctl) w.Write(l + "\n");
            for (int i = 0; i < h.Pods; i++) foreach (var l in perDevice) w.Write(l.Replace(".ens3.", "." + h.Cali(i) + ".", StringComparison.Ordinal) + "\n");
        });
        const string Net = "sos_commands/networking/";
        File_(Net + "ip_-d_address", w => h.WriteRootLinks(w, details: true, addresses: true, stats: false));
        File_(Net + "ip_-s_-d_link", w => h.WriteRootLinks(w, details: true, addresses: false, stats: true));
        File_(Net + "ip_route_show_table_all", w => h.RootRoutes(w));
        File_(Net + "ip_-6_route_show_table_all", w => h.RootRoutes(w, v4: false));
        File_(Net + "ip_-4_rule", w => w.Write("0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"));
        File_(Net + "ip_-6_rule", w => w.Write("0:\tfrom all lookup local\n32766:\tfrom all lookup main\n"));
        File_(Net + "ip_-s_-s_neigh_show", w => h.RootNeighbors(w, stats: true));
        File_(Net + "bridge_-s_-s_-d_-t_fdb_show", h.RootFdb);
        File_(Net + "tc_-s_qdisc_show", w => h.RootQdiscs(w, stats: true));
        File_(Net + "ip_netns", w => { for (int i = h.Pods - 1; i >= 0; i--) w.Write(h.Ns(i) + " (id: " + i.ToString(CultureInfo.InvariantCulture) + ")\n"); });
        File_("sos_commands/firewall_tables/iptables-save", h.RootIptablesSave);
        File_("sos_commands/firewall_tables/nft_list_ruleset", BigHost.RootNft);
        File_("sos_commands/openvswitch/ovs-vsctl_-t_5_show", h.OvsShow);
        File_("sos_commands/openvswitch/ovs-vsctl_-t_5_list-br", w => w.Write("br-int\n"));
        for (int i = 0; i < h.Pods; i++)
        {
            var ns = h.Ns(i);
            string Rel(string cmd) => flatLayout ? Net + "ip_netns_exec_" + ns + "_" + cmd : Net + "namespaces/" + ns + "/ip_netns_exec_" + ns + "_" + cmd;
            int pod = i;
            File_(Rel(flatLayout ? "ip_address_show" : "ip_-d_address_show"), w => h.PodAddresses(w, pod, details: !flatLayout));
            File_(Rel("ip_route_show_table_all"), w => h.PodRoutes(w, pod));
            File_(Rel("iptables-save"), _ => { });
            if (flatLayout) continue;
            File_(Rel("ip_-s_-s_neigh_show"), w => h.PodNeighbors(w, stats: true));
            File_(Rel("ip_-4_rule_list"), w => w.Write("0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"));
            File_(Rel("ip_-6_rule_list"), w => w.Write("0:\tfrom all lookup local\n32766:\tfrom all lookup main\n"));
            File_(Rel("ip6tables-save"), _ => { });
            File_(Rel("sysctl_-a"), w => { foreach (var l in podSysctl) w.Write(l + "\n"); });
        }
        return total;
    }

    /// <summary>A file writer that counts bytes and lines.</summary>
    private sealed class CountingWriter : IDisposable
    {
        private readonly FileStream _stream;
        public StreamWriter Writer { get; }

        public CountingWriter(string path)
        {
            _stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            Writer = new StreamWriter(_stream, new UTF8Encoding(false), 1 << 16);
        }

        public Stats Finish(int files, BigHost h)
        {
            Writer.Flush();
            long bytes = _stream.Length, lines = 0;
            _stream.Position = 0;
            var buf = new byte[1 << 16];
            for (int n; (n = _stream.Read(buf)) > 0;) lines += buf.AsSpan(0, n).Count((byte)'\n');
            return new Stats(bytes, lines, files, h.Pods + 1, h.TotalLinks, h.RootRouteCount);
        }

        public void Dispose() => Writer.Dispose();
    }
}
