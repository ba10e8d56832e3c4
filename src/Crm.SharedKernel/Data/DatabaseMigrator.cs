using Crm.SharedKernel.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.SharedKernel.Data;

/// <summary>
/// Applies every registered context's migrations (platform first), under a PostgreSQL advisory lock so
/// several instances starting together migrate once; and reports what is still pending for readiness.
/// </summary>
public sealed partial class DatabaseMigrator(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    IEnumerable<ModuleDatabase> databases,
    ILogger<DatabaseMigrator> logger)
{
    // Any constant works; it only has to be the same for every instance of this application.
    private const long MigrationLockKey = 0x43524D_4D494752; // "CRM" "MIGR"

    /// <summary>Checks the database can be reached and is fit for the application (UTF-8 LC_CTYPE).</summary>
    public async Task VerifyAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT datctype FROM pg_database WHERE datname = current_database()", connection);
        var ctype = (string?)await command.ExecuteScalarAsync(ct) ?? string.Empty;
        if (!IsUtf8(ctype))
        {
            throw new StartupException(
                $"Database '{connection.Database}' has LC_CTYPE '{ctype}'. Chinese search needs a UTF-8 LC_CTYPE: recreate it with " +
                $"CREATE DATABASE {connection.Database} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'.");
        }
    }

    public async Task MigrateAsync(CancellationToken ct)
    {
        await VerifyAsync(ct);
        await using var lockConnection = await OpenAsync(ct);
        await ExecuteAsync(lockConnection, "SELECT pg_advisory_lock(@key)", ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            foreach (var database in databases)
            {
                var context = (DbContext)scope.ServiceProvider.GetRequiredService(database.ContextType);
                var pending = await PendingAsync(context, database.Schema, ct);
                if (pending.Count == 0)
                {
                    continue;
                }

                LogMigrating(logger, database.Schema, pending.Count, string.Join(", ", pending));
                // EF probes a missing history table by querying it and logs the failure as an error;
                // creating the (empty) table first keeps a first deploy's log free of false alarms.
                await context.Database.ExecuteSqlRawAsync(context.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);
                await context.Database.MigrateAsync(ct);
            }
        }
        finally
        {
            await ExecuteAsync(lockConnection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
        }
    }

    /// <summary>Names of migrations not yet applied, as <c>schema/migration</c>.</summary>
    public async Task<IReadOnlyList<string>> GetPendingMigrationsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var pending = new List<string>();
        foreach (var database in databases)
        {
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(database.ContextType);
            pending.AddRange((await PendingAsync(context, database.Schema, ct)).Select(m => $"{database.Schema}/{m}"));
        }

        return pending;
    }

    /// <summary>Pending migrations, without querying a history table that does not exist yet (EF logs that as an error).</summary>
    private async Task<IReadOnlyList<string>> PendingAsync(DbContext context, string schema, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT to_regclass(format('%I.%I', $1::text, '__ef_migrations_history')) IS NOT NULL");
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        if (await command.ExecuteScalarAsync(ct) is not true)
        {
            return context.Database.GetMigrations().ToList();
        }

        return (await context.Database.GetPendingMigrationsAsync(ct)).ToList();
    }

    internal static bool IsUtf8(string ctype) =>
        ctype.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) || ctype.Contains("UTF8", StringComparison.OrdinalIgnoreCase);

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            var target = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            throw new StartupException(
                $"Cannot connect to PostgreSQL at {target.Host}:{target.Port}, database '{target.Database}' as '{target.Username}': {ex.Message} " +
                "Check ConnectionStrings:Crm and that the server is running (eng/run.sh starts a local one).",
                ex);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", MigrationLockKey);
        await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Applying {Count} migration(s) to schema {Schema}: {Migrations}")]
    private static partial void LogMigrating(ILogger logger, string schema, int count, string migrations);
}
