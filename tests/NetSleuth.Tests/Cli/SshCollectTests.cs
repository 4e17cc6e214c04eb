using NetSleuth.Collect.Remote;

namespace NetSleuth.Tests.Cli;

/// <summary>`collect --ssh` without a network: destinations, the classification of OpenSSH's real
/// messages (Fixtures/ssh-errors, see its NOTE.md) and the command line's checks.</summary>
public sealed class SshCollectTests
{
    [Theory]
    [InlineData("node1", null, "node1", null)]
    [InlineData("admin@10.0.0.7:2222", "admin", "10.0.0.7", 2222)]
    [InlineData("root@[2001:db8::7]:22", "root", "2001:db8::7", 22)]
    [InlineData("2001:db8::7", null, "2001:db8::7", null)]
    [InlineData("ci@bastion.example.com", "ci", "bastion.example.com", null)]
    public void Given_a_destination_When_parsed_Then_user_host_and_port_are_apart(string text, string? user, string host, int? port)
    {
        var d = SshDestination.TryParse(text, out var error);
        Assert.Null(error);
        Assert.Equal(new SshDestination(text, user, host, port), d);
        Assert.Equal("--", d!.SshArgs().SkipWhile(a => a != "--").First());
        Assert.Equal(host, d.SshArgs().Last());
    }

    [Theory]
    [InlineData("node1:0", "port '0'")]
    [InlineData("node1:ssh", "port 'ssh'")]
    [InlineData("@node1", "empty user")]
    [InlineData("-oProxyCommand=x", "not a host")]
    [InlineData("[2001:db8::7", "'[' without ']'")]
    public void Given_a_bad_destination_When_parsed_Then_the_error_says_what(string text, string part)
    {
        Assert.Null(SshDestination.TryParse(text, out var error));
        Assert.Contains(part, error);
    }

    [Theory]
    [InlineData("wrong-key.txt", "auth", "login refused: root@198.18.77.1: Permission denied (publickey).")]
    [InlineData("host-key-changed.txt", "host-key", "host key not accepted: the host's key differs from the one in known_hosts (REMOTE HOST IDENTIFICATION HAS CHANGED); Offending ED25519 key in kh_changed:1")]
    [InlineData("unknown-host-key.txt", "host-key", "host key not accepted: Host key verification failed (the host is not in known_hosts, or its key changed; BatchMode never asks)")]
    [InlineData("no-route.txt", "unreachable", "unreachable: ssh: connect to host 198.18.77.9 port 2222: No route to host")]
    [InlineData("no-resolve.txt", "unreachable", "unreachable: ssh: Could not resolve hostname no-such-host.invalid: Temporary failure in name resolution")]
    [InlineData("refused.txt", "unreachable", "unreachable: ssh: connect to host 198.18.77.1 port 2223: Connection refused")]
    [InlineData("timeout.txt", "unreachable", "unreachable: ssh: connect to host 198.51.100.1 port 2222: Connection timed out")]
    public void Given_what_openssh_printed_When_classified_Then_the_kind_and_the_line_that_says_why(string file, string kind, string text)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ssh-errors", file));
        var f = RemoteFailure.Classify(255, lines, null);
        Assert.Equal(kind, f.Kind);
        Assert.Equal(text, f.ToString());
    }

    [Fact]
    public void Given_the_remote_scripts_error_line_When_classified_Then_its_exit_code_gives_the_kind()
    {
        var f = RemoteFailure.Classify(RemoteScript.NotRoot, ["some banner"], "not root (user ci) and sudo -n refused: sudo: a password is required");
        Assert.Equal("no root: not root (user ci) and sudo -n refused: sudo: a password is required", f.ToString());
        Assert.Equal("collect", RemoteFailure.Classify(1, ["netsleuth: internal error (x)"], null).Kind);
        Assert.Equal("collect failed on the host: exit code 1: netsleuth: internal error (x)", RemoteFailure.Classify(1, ["netsleuth: internal error (x)", ""], null).ToString());
    }

    [Fact]
    public void Given_the_copy_script_Then_it_is_one_line_that_removes_its_directory_on_exit_and_on_signals()
    {
        var s = RemoteScript.Copy(12345, ["--netns", "cni-*"]);
        Assert.DoesNotContain('\n', s);
        Assert.Contains("trap 'rm -rf \"$d\"' EXIT", s);
        Assert.Contains("HUP INT TERM", s);
        Assert.Contains("-eq 12345 ]", s);
        Assert.Contains("collect --netns 'cni-*'", s);
        Assert.DoesNotContain('\n', RemoteScript.Tools());
    }

    [Theory]
    [InlineData(new[] { "collect", "--ssh", "-o", "d" }, "--ssh needs at least one host")]
    [InlineData(new[] { "collect", "--ssh", "h1" }, "--ssh needs -o DIR")]
    [InlineData(new[] { "collect", "--ssh", "h1:99999", "-o", "d" }, "port '99999'")]
    [InlineData(new[] { "collect", "--ssh", "--no-copy", "--binary", "x", "h1", "-o", "d" }, "--binary and --no-copy cannot be combined")]
    [InlineData(new[] { "collect", "--ssh", "--image", "x", "h1", "-o", "d" }, "--image goes with --kubernetes")]
    [InlineData(new[] { "collect", "--jobs", "3" }, "--jobs goes with --ssh or --kubernetes")]
    [InlineData(new[] { "collect", "--ssh", "--kubernetes", "-o", "d" }, "cannot be combined")]
    public void Given_wrong_remote_options_When_run_Then_exit_2_and_why(string[] args, string message)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(2, NetSleuth.Cli.Program.Run(args, o, e));
        Assert.Contains(message, e.ToString());
    }

    [Fact]
    public void Given_a_cli_on_dotnet_without_binary_When_collect_ssh_Then_it_says_how_to_get_one()
    {
        var e = new StringWriter();
        Assert.Equal(2, NetSleuth.Cli.Program.Run(["collect", "--ssh", "h1", "-o", "d"], new StringWriter(), e));
        Assert.Contains("give --binary FILE (scripts/publish-native builds artifacts/netsleuth/netsleuth) or use --no-copy", e.ToString());
    }

    [Fact]
    public void Given_hosts_that_failed_When_progress_is_shown_Then_it_counts_and_names_them()
    {
        RemoteHostResult F(string t) => new(t, null, null, new RemoteFailure("unreachable", "x"), []);
        Assert.Equal("collect: 3 of 20 hosts", NetSleuth.Cli.Commands.RemoteCollect.ProgressLine(3, 20, []));
        Assert.Equal("collect: 7 of 20 hosts, 4 failed (a, b, c, …)", NetSleuth.Cli.Commands.RemoteCollect.ProgressLine(7, 20, [F("a"), F("b"), F("c"), F("d")]));
    }
}
