using NetSleuth.Cli;

namespace NetSleuth.Tests.Cli;

public sealed class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Version_prints_the_tool_version_and_exits_0()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^netsleuth \d+\.\d+\.\d+\n$", output);
    }

    [Fact]
    public void Unknown_command_is_bad_usage_with_a_hint()
    {
        var (code, _, err) = Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", err);
        Assert.Contains("netsleuth --help", err);
    }

    [Fact]
    public void Every_command_has_help_that_names_its_usage()
    {
        var (_, rootHelp, _) = Run("--help");
        foreach (var line in rootHelp.Split('\n').SkipWhile(l => l != "Commands:").Skip(1).TakeWhile(l => l.Length > 0))
        {
            var name = line.Trim().Split(' ')[0];
            var (code, help, _) = Run(name, "--help");
            Assert.Equal(0, code);
            Assert.Contains($"netsleuth {name}", help);
            Assert.Contains("--help", help);
        }
    }

    [Fact]
    public void Missing_input_file_is_reported_with_its_name_and_exit_2()
    {
        foreach (var cmd in new[] { "topology", "trace", "diagnose", "import" })
        {
            var (rootCode, rootHelp, _) = Run("--help");
            Assert.Equal(0, rootCode);
            if (!rootHelp.Contains("  " + cmd + " ")) continue; // command not built yet
            var args = cmd == "trace" ? new[] { cmd, "/nonexistent/x.json", "--from", "h", "--to", "198.18.0.1" } : new[] { cmd, "/nonexistent/x.json" };
            var (code, _, err) = Run(args);
            Assert.Equal(2, code);
            Assert.Contains("/nonexistent/x.json", err);
        }
    }
}
