using Crm.IntegrationTests.Sample;
using Crm.Modules.Customers.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// The real API (Program) over real PostgreSQL, with a controllable clock, the outbox loop off (tests
/// dispatch explicitly), a generous anonymous rate limit, the <see cref="HeaderContractGuard"/> watching every
/// request, and, unless told otherwise, the test-only Notes module composed in.
/// </summary>
internal sealed class CrmApiFactory(string connectionString, bool withSampleModule = true, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string SigningKey = "integration-tests-signing-key-0123456789abcdef";

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Crm", connectionString);
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("Outbox:Enabled", "false");
        builder.UseSetting("Customers:Pool:ReclaimEnabled", "false");
        builder.UseSetting("Sales:Contracts:Enabled", "false");
        // The import worker wakes when this host queues a job; it never polls, so it cannot take the jobs that
        // ImportRecoveryTests queue through their own host to run them step by step.
        builder.UseSetting("Integration:Imports:PollInterval", "1.00:00:00");
        builder.UseSetting("Integration:Imports:SpoolDirectory", Path.Combine(Path.GetTempPath(), "crm-imports-tests"));
        builder.UseSetting("Identity:Jwt:SigningKey", SigningKey);
        // Every request of the run is anonymous without a remote address (one partition) and the fake clock
        // rarely moves (one window): the default 120 would throttle the suite. RateLimitingTests sets its own.
        builder.UseSetting("RateLimiting:Anonymous:PermitLimit", "1000000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IStartupFilter, HeaderContractGuard.StartupFilter>();
            if (withSampleModule)
            {
                services.AddNotesSampleModule();
                services.AddOutboxTestConsumers();
                services.AddCustomerTimelineEvent<SampleOrderPlaced>();
            }
        });
    }
}
