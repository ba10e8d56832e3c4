using Npgsql;

namespace Crm.SharedKernel.Data;

/// <summary>
/// Server settings every API connection starts its session with, passed in the connection string's <c>Options</c>
/// (docs/adr/0022-jit-off-for-api-sessions.md). A setting the operator already gives there wins.
/// </summary>
public static class SessionDefaults
{
    /// <summary>
    /// <c>jit=off</c>: PostgreSQL compiles a query when its estimated cost passes <c>jit_above_cost</c>, and the set-based
    /// statements of imports and bulk actions (a join on a chunk's 5,000 keys, estimated at millions of rows) pass it
    /// although they touch a few thousand index entries. Measured on 300,000 customers: the import's duplicate lookup
    /// ran in 0.34 s and spent 4.4 s more compiling, on every chunk.
    /// </summary>
    public const string Jit = "-c jit=off";

    /// <summary>The connection string with the defaults added to its <c>Options</c>.</summary>
    public static string Apply(NpgsqlConnectionStringBuilder connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var options = connectionString.Options ?? string.Empty;
        if (!options.Contains("jit", StringComparison.OrdinalIgnoreCase))
        {
            connectionString.Options = $"{options} {Jit}".Trim();
        }

        return connectionString.ConnectionString;
    }
}
