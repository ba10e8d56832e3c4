using Crm.SharedKernel.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Crm.SharedKernel.Health;

/// <summary>Ready when PostgreSQL answers and every module's migrations are applied.</summary>
internal sealed class DatabaseReadyHealthCheck(DatabaseMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = await migrator.GetPendingMigrationsAsync(cancellationToken);
            return pending.Count == 0
                ? HealthCheckResult.Healthy("Database reachable; all migrations applied.")
                : HealthCheckResult.Unhealthy(
                    $"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}. Run: dotnet run --project src/Crm.Api -- migrate");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception is kept for logs; the response shows only the description.
            return HealthCheckResult.Unhealthy("Database unreachable.", ex);
        }
    }
}
