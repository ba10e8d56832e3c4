namespace Crm.SharedKernel.Data;

/// <summary>
/// Seeds a module's demo data for <c>eng/run.sh</c> (never outside the demo: it runs only when
/// <c>Demo:Seed</c> is true). Implementations must be idempotent: the seeders run on every start.
/// </summary>
public interface IDemoDataSeeder
{
    Task SeedAsync(CancellationToken ct);
}
