using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>
/// Transaction-scoped advisory locks on leads' normalized emails and phones, the keys lead imports match on. No unique
/// constraint spans leads (two may share an email), so whoever writes a lead's emails or phones takes these locks first and
/// holds them until commit: a lead import chunk, then looking for its matches, sees every lead a concurrent import or
/// create wrote with those keys (ADR 0039). The two-int form with a class id of its own keeps them apart from the other
/// advisory locks; keys are hashed into <see cref="Buckets"/> buckets, so a chunk holds at most that many locks (the
/// shared lock table stays small) and a hash collision only makes two writers take turns.
/// </summary>
internal static class LeadKeyLocks
{
    /// <summary>"lead" in ASCII: the first key of every lock of this kind.</summary>
    public const int ClassId = 0x6c656164;

    public const int Buckets = 1024;

    /// <summary>The lock keys of these normalized emails and phones.</summary>
    public static IEnumerable<string> Keys(IEnumerable<string> emails, IEnumerable<string> phones) =>
        emails.Select(e => "email:" + e).Concat(phones.Select(p => "phone:" + p));

    public static IEnumerable<string> Keys(Lead lead) => Keys(lead.Emails, lead.Phones);

    /// <summary>
    /// Locks the keys' buckets in one statement, in bucket order (so two writers never wait on each other in a cycle), until
    /// the end of the current transaction; waits while another transaction holds one.
    /// </summary>
    public static async Task LockAsync(SalesDbContext db, IEnumerable<string> keys, CancellationToken ct)
    {
        var distinct = keys.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0)
        {
            return;
        }

        await db.Database.ExecuteSqlAsync(
            $"SELECT count(pg_advisory_xact_lock({ClassId}, b)) FROM (SELECT DISTINCT hashtext(k) & {Buckets - 1} AS b FROM unnest({distinct}) AS k ORDER BY 1) s",
            ct);
    }
}
