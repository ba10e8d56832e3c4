using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Sales.Data;

/// <summary>
/// Saving where a unique index settles a race the pre-checks cannot see: of two concurrent writers one commits and the
/// other gets the problem the caller names for that index (the same 409 a pre-check gives), not a generic conflict.
/// </summary>
internal static class UniqueIndexSave
{
    /// <param name="db">The context to save.</param>
    /// <param name="conflict">The problem to throw for the violated unique index (named on the exception's <c>ConstraintName</c>).</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task SaveChangesOrConflictAsync(this SalesDbContext db, Func<PostgresException, Exception> conflict, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            throw conflict(unique);
        }
    }
}
