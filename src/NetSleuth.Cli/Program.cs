using NetSleuth.Model;

namespace NetSleuth.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var stdout = new StdoutWriter(Console.Out);
        try
        {
            int rc = Run(args, stdout, Console.Error, stderrIsTerminal: !Console.IsErrorRedirected);
            stdout.Flush();
            return rc;
        }
        catch (StdoutException e) when (e.BrokenPipe)
        {
            return ExitCodes.Ok; // the reader (head, less) has all it wanted
        }
        catch (StdoutException e)
        {
            try { Console.Error.WriteLine($"netsleuth: cannot write to standard output: {e.InnerException?.Message}"); }
            catch (IOException) { /* nowhere left to say it */ }
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("NETSLEUTH_DEBUG") is null or "" or "0")
        {
            // a bug: one line and exit 1, not an abort (134); NETSLEUTH_DEBUG=1 lets it through with its stack
            Console.Error.WriteLine($"netsleuth: internal error ({e.GetType().Name}: {e.Message.Split('\n')[0]}); this is a bug — NETSLEUTH_DEBUG=1 shows where");
            return ExitCodes.Internal;
        }
    }

    /// <summary>Runs the command line with the given streams; the tests call this directly.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool stderrIsTerminal = false)
    {
        var ctx = new CliContext(stdout, stderr, stderrIsTerminal);
        var root = new RootCommand();
        CliCommand current = root;
        try
        {
            int i = 0;
            // descend into subcommands ("lab up …")
            while (i < args.Count && current.Subcommands.FirstOrDefault(c => c.Name == args[i]) is { } sub)
            {
                current = sub;
                i++;
            }
            var rest = args.Skip(i).ToList();
            if (current == root)
            {
                if (rest.Count == 0 || rest.Contains("--help") || rest.Contains("-h") || rest[0] == "help")
                {
                    stdout.Write(root.HelpText());
                    return rest.Count == 0 ? ExitCodes.BadInput : ExitCodes.Ok;
                }
                if (rest.Contains("--version"))
                {
                    stdout.WriteLine("netsleuth " + VersionInfo.Version);
                    return ExitCodes.Ok;
                }
                throw new UsageException($"unknown command '{rest[0]}'");
            }
            if (current.Subcommands.Count > 0)
            {
                stdout.Write(current.HelpText());
                bool asked = rest.Contains("--help") || rest.Contains("-h");
                if (!asked && rest.Count > 0) throw new UsageException($"unknown command '{rest[0]}' for '{current.Path}'");
                return asked ? ExitCodes.Ok : ExitCodes.BadInput;
            }
            var parsed = current.Parse(rest);
            if (parsed.Has("help"))
            {
                stdout.Write(current.HelpText());
                return ExitCodes.Ok;
            }
            return current.Execute(parsed, ctx);
        }
        catch (UsageException e)
        {
            ctx.EndProgress();
            stderr.WriteLine($"netsleuth: {e.Message}");
            stderr.WriteLine($"Try 'netsleuth {(current == root ? "" : current.Path + " ")}--help'.");
            return ExitCodes.BadInput;
        }
        catch (BadInputException e)
        {
            ctx.EndProgress();
            stderr.WriteLine($"netsleuth: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (InputException e)
        {
            ctx.EndProgress();
            stderr.WriteLine($"netsleuth: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}

internal static class VersionInfo
{
    public static string Version =>
        typeof(Program).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";
}
