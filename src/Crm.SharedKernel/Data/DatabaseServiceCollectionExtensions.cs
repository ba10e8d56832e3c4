using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Hosting;
using Crm.SharedKernel.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Crm.SharedKernel.Data;

/// <summary>A DbContext whose migrations the platform applies, in registration order.</summary>
public sealed record ModuleDatabase(Type ContextType, string Schema);

public static class DatabaseServiceCollectionExtensions
{
    public const string ConnectionStringName = "Crm";

    /// <summary>
    /// The shared <see cref="NpgsqlDataSource"/> (one connection pool for every module, sessions set up by
    /// <see cref="SessionDefaults"/>), the platform
    /// schema, the migrator and the audit interceptor (it needs <see cref="Security.ICurrentActor"/> and
    /// <see cref="TimeProvider"/> registered). Throws <see cref="StartupException"/> when no connection string is set.
    /// </summary>
    public static IServiceCollection AddCrmDatabase(this IServiceCollection services, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StartupException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Set it in appsettings or with the environment variable " +
                $"ConnectionStrings__{ConnectionStringName}=\"Host=...;Port=5432;Database=crm;Username=...;Password=...\" " +
                "(eng/run.sh does this for a local database).");
        }

        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new StartupException($"ConnectionStrings:{ConnectionStringName} is not a valid PostgreSQL connection string: {ex.Message}", ex);
        }

        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(SessionDefaults.Apply(parsed)).Build());
        services.AddSingleton<DatabaseMigrator>();
        services.TryAddSingleton<AuditSaveChangesInterceptor>();
        services.AddDbContextPool<PlatformDbContext>((provider, options) => options.UseCrmNpgsql(provider, PlatformDbContext.SchemaName));
        services.AddSingleton(new ModuleDatabase(typeof(PlatformDbContext), PlatformDbContext.SchemaName));
        return services;
    }

    /// <summary>Registers a module's DbContext (pooled) in its own schema, its migrations and its outbox dispatcher.</summary>
    public static IServiceCollection AddModuleDbContext<TContext>(this IServiceCollection services, string schema)
        where TContext : ModuleDbContext
    {
        services.AddDbContextPool<TContext>((provider, options) => options.UseCrmNpgsql(provider, schema));
        services.AddSingleton(new ModuleDatabase(typeof(TContext), schema));
        services.AddSingleton<IOutboxDispatcher, OutboxDispatcher<TContext>>();
        return services;
    }

    /// <summary>
    /// The conventions every context uses: the shared data source, snake_case, history table in the module
    /// schema, and the audit trail interceptor. <paramref name="provider"/> is the root provider for pooled
    /// contexts, so everything resolved here is a singleton.
    /// </summary>
    public static DbContextOptionsBuilder UseCrmNpgsql(this DbContextOptionsBuilder options, IServiceProvider provider, string schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options
            .UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", schema))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(provider.GetRequiredService<AuditSaveChangesInterceptor>());
    }
}
