using Crm.SharedKernel.Data;
using Crm.SharedKernel.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Crm.Api.Hosting;

internal static partial class DatabaseStartup
{
    /// <summary>
    /// Before serving: wait (bounded) for PostgreSQL, check it, apply migrations when configured, run the
    /// modules' start-up tasks, and seed demo data when <c>Demo:Seed</c> is true. Any failure stops start-up with a message that says what to fix.
    /// </summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DatabaseStartupOptions>>().Value;
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Crm.Startup");
        using var timeout = new CancellationTokenSource(options.ConnectTimeout);

        var waitForDatabase = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                Delay = TimeSpan.FromMilliseconds(500),
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = new PredicateBuilder().Handle<StartupException>(ex => ex.InnerException is NpgsqlException or TimeoutException),
                OnRetry = args =>
                {
                    LogWaiting(logger, args.Outcome.Exception?.Message ?? "unknown");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            await waitForDatabase.ExecuteAsync(async ct => await migrator.VerifyAsync(ct), timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // One last attempt, so the failure carries the real reason rather than "cancelled".
            await migrator.VerifyAsync(CancellationToken.None);
        }

        if (options.MigrateOnStartup)
        {
            await migrator.MigrateAsync(CancellationToken.None);
        }

        await using var scope = app.Services.CreateAsyncScope();
        foreach (var task in scope.ServiceProvider.GetServices<IStartupTask>())
        {
            await task.RunAsync(CancellationToken.None);
        }

        if (app.Configuration.GetValue("Demo:Seed", defaultValue: false))
        {
            foreach (var seeder in scope.ServiceProvider.GetServices<IDemoDataSeeder>())
            {
                await seeder.SeedAsync(CancellationToken.None);
            }
        }
    }

    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "Waiting for PostgreSQL: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
