namespace Crm.Modules.Customers.Domain;

/// <summary>
/// The public pool (公海) rules of one customer tier; the row without tier is the default for every tier
/// without its own row. A null limit means "no limit".
/// </summary>
internal sealed class PoolRule
{
    private PoolRule()
    {
    }

    public long Id { get; private set; }

    /// <summary>The tier this rule is for; null for the default rule.</summary>
    public string? Tier { get; private set; }

    /// <summary>How many customers of this tier one rep may own before claiming more is refused.</summary>
    public int? MaxOwnedPerRep { get; private set; }

    /// <summary>Owned customers without a follow-up for this many days go back to the pool.</summary>
    public int? ReclaimAfterDaysWithoutFollowUp { get; private set; }

    /// <summary>
    /// Owned customers without a won deal for this many days go back to the pool; the days count from the newest won
    /// deal, but never from before the current owner got the customer.
    /// </summary>
    public int? ReclaimAfterDaysWithoutWonDeal { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static PoolRule Create(string? tier, int? maxOwnedPerRep, int? reclaimAfterDaysWithoutFollowUp, int? reclaimAfterDaysWithoutWonDeal, DateTimeOffset now) =>
        new()
        {
            Tier = string.IsNullOrWhiteSpace(tier) ? null : tier.Trim(),
            MaxOwnedPerRep = maxOwnedPerRep,
            ReclaimAfterDaysWithoutFollowUp = reclaimAfterDaysWithoutFollowUp,
            ReclaimAfterDaysWithoutWonDeal = reclaimAfterDaysWithoutWonDeal,
            UpdatedAt = now,
        };
}
