namespace Crm.SharedKernel.Hosting;

/// <summary>
/// Work a module needs done once the database is migrated and before requests are served (e.g. creating
/// the first administrator from configuration). Runs on every start, so it must be idempotent.
/// </summary>
public interface IStartupTask
{
    Task RunAsync(CancellationToken ct);
}
