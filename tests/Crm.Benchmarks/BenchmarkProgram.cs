namespace Crm.Benchmarks;

/// <summary>Entry point: <c>eng/bench.sh [--customers 1000000] [--rounds 5] [--seconds 3] [--only pipeline [--update]] [--smoke]</c>.</summary>
internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        BenchmarkOptions options;
        BenchmarkReport? report;
        try
        {
            options = BenchmarkOptions.Parse(args);
            report = await BenchmarkRunner.RunAsync(options, Console.Out, CancellationToken.None);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        if (report is null)
        {
            Console.WriteLine($"Partial run ({string.Join(", ", options.Only)}): no report written (add --update to replace these results in the report).");
            return 0;
        }

        var (markdown, json) = await ReportWriter.WriteAsync(report, options.OutputDirectory, CancellationToken.None);
        Console.WriteLine($"Wrote {markdown} and {json}");
        return 0;
    }
}
