using System.Globalization;

namespace Crm.Benchmarks;

/// <summary>Command line of the benchmark (see docs/benchmarks.md, "Running it").</summary>
internal sealed record BenchmarkOptions
{
    public required string ConnectionString { get; init; }

    public string OutputDirectory { get; init; } = "docs";

    public bool Smoke { get; init; }

    public int Customers { get; init; } = 200_000;

    public int Users { get; init; } = 400;

    public int Rounds { get; init; } = 5;

    public TimeSpan RoundDuration { get; init; } = TimeSpan.FromSeconds(3);

    public int Concurrency { get; init; } = 8;

    public int Seed { get; init; } = 20261123;

    /// <summary>Customers imported per round of the import scenario (and COPYed for its ceiling).</summary>
    public int ImportRows { get; init; } = 1_000_000;

    public int ImportRounds { get; init; } = 3;

    /// <summary>Customers moved per bulk transfer in the transfer scenario (at most a quarter of the customers).</summary>
    public int TransferCustomers { get; init; } = 100_000;

    public int TransferRounds { get; init; } = 5;

    /// <summary>Opportunities seeded for the sales report scenarios (default: as many as customers).</summary>
    public int Opportunities { get; init; } = 200_000;

    /// <summary>Activities seeded for the calendar scenario (default: ten per opportunity).</summary>
    public int Activities { get; init; } = 2_000_000;

    /// <summary>Clients of the heavy report scenarios (funnel, forecast, calendar): few, so that p95 means a single request's time.</summary>
    public int HeavyConcurrency { get; init; } = 2;

    /// <summary>
    /// Scenario ids to run (<c>--only pipeline,customer-by-id</c>; <c>import</c> and <c>transfer</c> name those phases), for
    /// profiling one path under a steady load, or with <see cref="Update"/> to measure a change again. Empty: everything.
    /// </summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether this is a partial run (<see cref="Only"/>): measured and logged, and reported only with <see cref="Update"/>.</summary>
    public bool IsPartial => Only.Count > 0;

    /// <summary>
    /// <c>--update</c>: a partial run replaces its results in the report already in <see cref="OutputDirectory"/>, which must
    /// have been measured on the same data (sizes and seed); the report then says which results were measured when.
    /// </summary>
    public bool Update { get; init; }

    /// <summary>A tiny data set and short rounds: proves every scenario runs, measures nothing worth reading.</summary>
    public static BenchmarkOptions ForSmoke(string connectionString, string outputDirectory) => new()
    {
        ConnectionString = connectionString,
        OutputDirectory = outputDirectory,
        Smoke = true,
        Customers = 3_000,
        Users = 24,
        Rounds = 2,
        RoundDuration = TimeSpan.FromMilliseconds(250),
        Concurrency = 4,
        ImportRows = 2_000,
        ImportRounds = 1,
        TransferCustomers = 500,
        TransferRounds = 2,
        Opportunities = 1_500,
        Activities = 6_000,
    };

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var (smoke, update) = (false, false);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--smoke")
            {
                smoke = true;
            }
            else if (args[i] == "--update")
            {
                update = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Count)
            {
                values[args[i][2..]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Unknown argument '{args[i]}'. Use --connection, --output, --customers, --users, --rounds, --seconds, --concurrency, --seed, --import-rows, --import-rounds, --transfer-customers, --transfer-rounds, --opportunities, --activities, --heavy-concurrency, --only, --update, --smoke.");
            }
        }

        var connection = values.GetValueOrDefault("connection") ?? Environment.GetEnvironmentVariable("CRM_BENCH_POSTGRES")
            ?? throw new ArgumentException("Give --connection or CRM_BENCH_POSTGRES (an empty UTF-8 database; eng/bench.sh makes one).");
        var output = values.GetValueOrDefault("output") ?? "docs";
        var options = smoke ? ForSmoke(connection, output) : new BenchmarkOptions { ConnectionString = connection, OutputDirectory = output };
        var customers = Int(values, "customers") ?? options.Customers;

        // The sales data scales with the customers unless given: one opportunity per customer, ten activities per opportunity.
        var opportunities = Int(values, "opportunities") ?? (values.ContainsKey("customers") ? customers : options.Opportunities);
        var activities = Int(values, "activities")
            ?? (values.ContainsKey("customers") || values.ContainsKey("opportunities") ? 10 * opportunities : options.Activities);
        var only = values.TryGetValue("only", out var names)
            ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : options.Only;
        if (update && only.Count == 0)
        {
            throw new ArgumentException("--update refreshes the results of a partial run: give --only with the scenarios to measure again.");
        }

        return options with
        {
            Customers = customers,
            Update = update,
            Opportunities = opportunities,
            Activities = activities,
            HeavyConcurrency = Int(values, "heavy-concurrency") ?? options.HeavyConcurrency,
            Only = only,
            Users = Int(values, "users") ?? options.Users,
            Rounds = Int(values, "rounds") ?? options.Rounds,
            Concurrency = Int(values, "concurrency") ?? options.Concurrency,
            Seed = Int(values, "seed") ?? options.Seed,
            ImportRows = Int(values, "import-rows") ?? options.ImportRows,
            ImportRounds = Int(values, "import-rounds") ?? options.ImportRounds,
            TransferCustomers = Int(values, "transfer-customers") ?? options.TransferCustomers,
            TransferRounds = Int(values, "transfer-rounds") ?? options.TransferRounds,
            RoundDuration = values.TryGetValue("seconds", out var seconds)
                ? TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture))
                : options.RoundDuration,
        };
    }

    private static int? Int(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : null;
}
