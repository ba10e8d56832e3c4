using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Benchmarks;

/// <summary>
/// The real API (Crm.Api's Program, every middleware and module) on Kestrel at 127.0.0.1 on a free port.
/// Differences from production settings, all stated in the report: the per-user rate limit is off (it would
/// throttle the load) and logs below Warning are dropped (console logging of every request would be measured
/// instead of the API).
/// </summary>
internal sealed class ApiHost(string connectionString) : WebApplicationFactory<Program>
{
    public const string AdminEmail = "bench.admin@bench.local";
    public const string AdminPassword = "Bench-admin-2026";

    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:Crm", connectionString);
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("Identity:Jwt:SigningKey", "benchmark-signing-key-0123456789abcdef0123456789");
        builder.UseSetting("RateLimiting:Enabled", "false");
        builder.UseSetting("CRM_BOOTSTRAP_ADMIN_EMAIL", AdminEmail);
        builder.UseSetting("CRM_BOOTSTRAP_ADMIN_PASSWORD", AdminPassword);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }
}
