using Microsoft.EntityFrameworkCore;

namespace Crm.SharedKernel.Data;

/// <summary>
/// Options for <c>dotnet ef migrations add</c> (design time only: no database is contacted), with the
/// same conventions the running application uses.
/// </summary>
public static class DesignTimeContextOptions
{
    public static DbContextOptions<TContext> For<TContext>(string schema)
        where TContext : DbContext =>
        new DbContextOptionsBuilder<TContext>()
            .UseNpgsql("Host=localhost;Database=crm_design", npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", schema))
            .UseSnakeCaseNamingConvention()
            .Options;
}
