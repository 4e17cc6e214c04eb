using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetSleuth.Collect;
using NetSleuth.Forwarding;
using NetSleuth.Util;

namespace NetSleuth.Probe;

/// <summary>One real probe: from a namespace to an address, with its protocol, port and IP packet size.</summary>
/// <param name="Netns">the named namespace (/run/netns) it is sent from; null = this process's own</param>
/// <param name="Size">IP packet size in bytes (ICMP: ping -s Size-28; UDP: a datagram of Size-28 bytes; TCP: a SYN, size ignored)</param>
/// <param name="DontFragment">DF set (ping -M do; IP_PMTUDISC_DO)</param>
public sealed record ProbeSpec(string? Netns, IPAddress Target, string Protocol, int? Port, int Size, bool DontFragment)
{
    /// <summary>The shell command that sends the same probe ("ip netns exec NS ping …"); for UDP/TCP the netsleuth command.</summary>
    public string Command => Protocol == Protocols.Icmp
        ? Shell.Join(ProbeSender.PingArgs(this, 1))
        : $"netsleuth probe --from {Shell.Quote(Netns ?? "root")} --to {Target} --proto {Protocol} --dport {Port} --size {Size}";
}

/// <summary>What the kernel did with one probe, as the sender sees it.</summary>
/// <param name="Answered">the round trip completed: an echo reply, the UDP datagram echoed back, the TCP handshake</param>
/// <param name="Reached">the listener got the request (UDP/TCP with a listener); null when unknown</param>
/// <param name="Detail">one line: ping's summary, the socket error</param>
public sealed record ProbeOutcome(bool Answered, bool? Reached, string Detail);

/// <summary>
/// Sends one probe the way a user would: ICMP with ping, UDP and TCP from a socket made in the namespace (a
/// dedicated thread enters it with setns). A listener in the destination's namespace (when given) answers UDP
/// datagrams and accepts TCP connections, so a round trip can be told from a one-way delivery.
/// </summary>
public static class ProbeSender
{
    public static string[] PingArgs(ProbeSpec p, int count)
    {
        var a = new List<string>();
        if (p.Netns is not null) a.AddRange(["ip", "netns", "exec", p.Netns]);
        a.AddRange(["ping", "-n", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.2", "-W", "1",
            "-s", Math.Max(0, p.Size - 28).ToString(CultureInfo.InvariantCulture)]);
        a.AddRange(["-M", p.DontFragment ? "do" : "dont"]);
        a.Add(p.Target.ToString());
        return [.. a];
    }

    /// <summary>Sends PROBE (COUNT times for ICMP) with a listener in LISTENNS (UDP/TCP) when given.</summary>
    public static ProbeOutcome Send(ProbeSpec probe, string? listenNetns, int count = 1, TimeSpan? wait = null)
    {
        var timeout = wait ?? TimeSpan.FromSeconds(1);
        if (probe.Protocol == Protocols.Icmp)
        {
            var argv = PingArgs(probe, count);
            var r = Proc.Run(argv[0], argv.Skip(1), timeout: TimeSpan.FromSeconds(5 + count));
            var text = (r.Stdout + r.Stderr).Trim();
            var m = System.Text.RegularExpressions.Regex.Match(text, @"(\d+) packets transmitted, (\d+) received");
            var summary = text.Split('\n').LastOrDefault(l => l.Contains("transmitted") || l.Contains("ping:")) ?? text.Split('\n')[^1];
            return new ProbeOutcome(m.Success && m.Groups[2].Value != "0", null, summary.Trim());
        }
        int port = probe.Port ?? throw new ArgumentException("a UDP/TCP probe needs a port");
        using var listener = listenNetns is null ? null : Listener.Start(listenNetns, probe.Protocol, port, probe.DontFragment);
        ProbeOutcome outcome;
        try { outcome = InNamespace(probe.Netns, () => probe.Protocol == Protocols.Udp ? SendUdp(probe, port, timeout) : SendTcp(probe, port, timeout)); }
        catch (SocketException e) { outcome = new ProbeOutcome(false, null, $"{probe.Protocol}: {e.SocketErrorCode}: {e.Message}"); }
        bool? reached = listener is null ? null : listener.Reached;
        return outcome with { Reached = reached };
    }

    private static ProbeOutcome SendUdp(ProbeSpec p, int port, TimeSpan timeout)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        SetDf(s, p.DontFragment);
        s.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        var payload = new byte[Math.Max(1, p.Size - 28)];
        try
        {
            s.SendTo(payload, new IPEndPoint(p.Target, port));
            var buf = new byte[65536];
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                int n = s.Receive(buf);
                if (n > 0) return new ProbeOutcome(true, null, $"udp: {n}-byte answer");
            }
            return new ProbeOutcome(false, null, "udp: no answer");
        }
        catch (SocketException e) { return new ProbeOutcome(false, null, $"udp: {e.SocketErrorCode}: {e.Message}"); }
    }

    private static ProbeOutcome SendTcp(ProbeSpec p, int port, TimeSpan timeout)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        SetDf(s, p.DontFragment);
        try
        {
            var task = s.ConnectAsync(new IPEndPoint(p.Target, port));
            if (!task.Wait(timeout)) return new ProbeOutcome(false, null, "tcp: connect timed out");
            return new ProbeOutcome(true, null, "tcp: connected");
        }
        catch (AggregateException e) when (e.InnerException is SocketException se)
        {
            return new ProbeOutcome(false, null, $"tcp: {se.SocketErrorCode}: {se.Message}");
        }
        catch (SocketException se) { return new ProbeOutcome(false, null, $"tcp: {se.SocketErrorCode}: {se.Message}"); }
    }

    /// <summary>IP_MTU_DISCOVER: IP_PMTUDISC_DO (DF, never fragment) or IP_PMTUDISC_DONT.</summary>
    private static void SetDf(Socket s, bool df) =>
        s.SetRawSocketOption(0 /* IPPROTO_IP */, 10 /* IP_MTU_DISCOVER */, BitConverter.GetBytes(df ? 2 : 0));

    /// <summary>Runs WORK on a dedicated thread that entered the named namespace (sockets it makes live there).</summary>
    public static T InNamespace<T>(string? netns, Func<T> work)
    {
        if (netns is null) return work();
        T? result = default;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                Enter(netns);
                result = work();
            }
            catch (Exception e) { error = e; }
        }) { IsBackground = true, Name = "netsleuth-probe" };
        t.Start();
        t.Join();
        if (error is not null) throw error is IOException or SocketException or ArgumentException ? error : new IOException(error.Message, error);
        return result!;
    }

    /// <summary>setns(2) this thread into /run/netns/NETNS.</summary>
    internal static void Enter(string netns)
    {
        if (netns.Contains('/')) throw new ArgumentException($"bad namespace name '{netns}'");
        int fd = Native.Open(Path.Combine("/run/netns", netns), Native.O_RDONLY | Native.O_CLOEXEC);
        if (fd < 0) throw new ArgumentException($"no network namespace '{netns}' (ip netns list shows the names)");
        try
        {
            if (Native.setns(fd, Native.CLONE_NEWNET) != 0) throw new IOException($"cannot enter namespace {netns}: {Native.LastError()}");
        }
        finally { Native.Close(fd); }
    }

    /// <summary>A UDP echo or TCP accept loop in a namespace, for the duration of one probe.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly Socket _socket;
        private readonly Thread _thread;
        private volatile bool _reached;
        private volatile bool _stop;

        public bool Reached
        {
            get
            {
                Thread.Sleep(20); // the listener's thread may still be handling what just arrived
                return _reached;
            }
        }

        private Listener(Socket socket, string protocol)
        {
            _socket = socket;
            _thread = new Thread(() => Loop(protocol)) { IsBackground = true, Name = "netsleuth-listener" };
            _thread.Start();
        }

        /// <param name="df">the answers are sent with DF as the probe was (what the model's reply assumes)</param>
        public static Listener? Start(string netns, string protocol, int port, bool df)
        {
            try
            {
                var s = InNamespace(netns, () =>
                {
                    var sock = protocol == Protocols.Udp
                        ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
                        : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sock.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    SetDf(sock, df);
                    sock.Bind(new IPEndPoint(IPAddress.Any, port));
                    if (protocol == Protocols.Tcp) sock.Listen(8);
                    sock.ReceiveTimeout = 100;
                    return sock;
                });
                return new Listener(s, protocol);
            }
            catch (Exception e) when (e is SocketException or IOException or ArgumentException) { return null; }
        }

        private void Loop(string protocol)
        {
            var buf = new byte[65536];
            while (!_stop)
            {
                try
                {
                    if (protocol == Protocols.Udp)
                    {
                        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                        int n = _socket.ReceiveFrom(buf, ref from);
                        _reached = true;
                        _socket.SendTo(buf.AsSpan(0, n), from);
                    }
                    else
                    {
                        if (!_socket.Poll(100_000, SelectMode.SelectRead)) continue;
                        using var c = _socket.Accept();
                        _reached = true;
                    }
                }
                catch (SocketException) { }
                catch (ObjectDisposedException) { return; }
            }
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join(500);
            _socket.Dispose();
        }
    }
}
