namespace Crm.Modules.Customers.Domain;

/// <summary>
/// One change of a customer's owner (客户经理), kept for good: who had it, who got it, why, who decided and when.
/// Bulk transfers write these with one INSERT ... SELECT; the id is a sequence, so it orders them as committed.
/// </summary>
internal sealed class CustomerOwnerChange
{
    public const int MaxReasonLength = 500;

    private CustomerOwnerChange()
    {
    }

    public long Id { get; private set; }

    public Guid CustomerId { get; private set; }

    public Guid? FromOwnerId { get; private set; }

    /// <summary>The new owner; null when the customer went to the public pool (公海).</summary>
    public Guid? ToOwnerId { get; private set; }

    public string Reason { get; private set; } = string.Empty;

    /// <summary>The user or API key that made the transfer.</summary>
    public Guid? ActorId { get; private set; }

    public DateTimeOffset At { get; private set; }

    /// <summary>Shared by every row of one transfer (one id for a bulk transfer).</summary>
    public Guid TransferId { get; private set; }

    public static CustomerOwnerChange Create(Guid customerId, Guid? from, Guid? to, string reason, Guid? actorId, DateTimeOffset at, Guid transferId) =>
        new() { CustomerId = customerId, FromOwnerId = from, ToOwnerId = to, Reason = reason.Trim(), ActorId = actorId, At = at, TransferId = transferId };
}
