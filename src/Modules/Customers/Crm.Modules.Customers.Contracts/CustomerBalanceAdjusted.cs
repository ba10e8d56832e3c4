using System.Globalization;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// A manager or administrator adjusted a customer's outstanding balance (应收余额) by hand: a write-off, a correction, a debt
/// from before the CRM. The change is one entry of the customer's balance ledger (kind <c>manualAdjustment</c>).
/// </summary>
public sealed record CustomerBalanceAdjusted : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerBalanceAdjusted(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Signed: positive means the customer owes more, negative less.</summary>
    public required decimal Amount { get; init; }

    /// <summary>The currency of the amounts (CNY).</summary>
    public required string Currency { get; init; }

    /// <summary>The outstanding balance after the adjustment.</summary>
    public required decimal BalanceAfter { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    /// <summary>The caller's reference (a voucher or ticket number), if any.</summary>
    public string? Reference { get; init; }

    /// <summary>Who adjusted it.</summary>
    public Guid? ActorId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Balance;

    string ICustomerTimelineEvent.TimelineSummary =>
        string.Create(CultureInfo.InvariantCulture, $"Balance adjusted {Amount:+0.00;-0.00} {Currency} (now {BalanceAfter:0.00}): {Reason}");
}
