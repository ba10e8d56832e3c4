using System.Globalization;
using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>Timeline kinds of quote-to-cash events.</summary>
public static class CashTimelineKinds
{
    public const string Contract = "contract";
    public const string Payment = "payment";
}

/// <summary>
/// What every contract event names (the contract, its number and the customer); each lands on the customer's 360°
/// timeline with kind <c>contract</c>.
/// </summary>
public abstract record ContractEvent : IntegrationEvent, ICustomerTimelineEvent
{
    protected ContractEvent(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The contract (for a renewal, the new draft).</summary>
    public required Guid ContractId { get; init; }

    /// <summary>Its number (HT10000001).</summary>
    public required string ContractNumber { get; init; }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CashTimelineKinds.Contract;

    string ICustomerTimelineEvent.TimelineSummary => Summary();

    /// <summary>The timeline line.</summary>
    protected abstract string Summary();

    /// <summary>An amount as the timeline writes it: 9,040.00 CNY.</summary>
    protected static string Money(decimal amount, string currency) => $"{amount.ToString("N2", CultureInfo.InvariantCulture)} {currency}";
}

/// <summary>A contract (合同) was signed: its amount becomes owed by the customer (the Customers module adds it to the outstanding balance).</summary>
public sealed record ContractSigned : ContractEvent
{
    public ContractSigned(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The contract amount.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>
    /// What moves the customer's balance: the amount in CNY at the rate effective on the signed date. Null in events written before exchange rates existed; the
    /// balance then applies the nominal amount, as it did when they were written.
    /// </summary>
    public decimal? BalanceAmount { get; init; }

    protected override string Summary() =>
        $"Contract {ContractNumber} signed: {Money(Amount, Currency)}";
}

/// <summary>A payment (回款) was received on a contract: the customer owes that much less.</summary>
public sealed record PaymentReceived : IntegrationEvent, ICustomerTimelineEvent
{
    public PaymentReceived(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The receipt.</summary>
    public required Guid ReceiptId { get; init; }

    /// <summary>The contract it was applied to.</summary>
    public required Guid ContractId { get; init; }

    /// <summary>The paying customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The amount received.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>
    /// What moves the customer's balance: the amount in CNY at the rate effective on the received date. Null in events written before exchange rates existed; the
    /// balance then applies the nominal amount, as it did when they were written.
    /// </summary>
    public decimal? BalanceAmount { get; init; }

    /// <summary>The day the money arrived.</summary>
    public required DateOnly ReceivedDate { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CashTimelineKinds.Payment;

    string ICustomerTimelineEvent.TimelineSummary =>
        $"Payment received: {Amount.ToString("N2", CultureInfo.InvariantCulture)} {Currency} on {ReceivedDate:yyyy-MM-dd}";
}

/// <summary>A receipt was reversed (wrongly booked, bounced cheque): the customer owes that amount again.</summary>
public sealed record PaymentReversed : IntegrationEvent, ICustomerTimelineEvent
{
    public PaymentReversed(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The reversed receipt.</summary>
    public required Guid ReceiptId { get; init; }

    /// <summary>The contract it had been applied to.</summary>
    public required Guid ContractId { get; init; }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The amount taken back.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>
    /// What moves the customer's balance: the amount in CNY at the rate the receipt was recorded with, so the reversal cancels it exactly. Null in events written before exchange rates existed; the
    /// balance then applies the nominal amount, as it did when they were written.
    /// </summary>
    public decimal? BalanceAmount { get; init; }

    /// <summary>Why it was reversed.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CashTimelineKinds.Payment;

    string ICustomerTimelineEvent.TimelineSummary =>
        $"Payment reversed: {Amount.ToString("N2", CultureInfo.InvariantCulture)} {Currency} ({Reason})";
}

/// <summary>
/// A signed or active contract was terminated early (终止): what was still unpaid on it is no longer owed (the Customers
/// module takes <see cref="UnpaidAmount"/> off the outstanding balance). Receipts stay; a later reversal makes its amount owed again.
/// </summary>
public sealed record ContractTerminated : ContractEvent
{
    public ContractTerminated(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The contract amount less what was received on it at termination.</summary>
    public required decimal UnpaidAmount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>
    /// What moves the customer's balance: the unpaid amount in CNY at the rate the contract was signed with. Null in events written before exchange rates existed; the
    /// balance then applies the nominal amount, as it did when they were written.
    /// </summary>
    public decimal? BalanceAmount { get; init; }

    /// <summary>The day it ended.</summary>
    public required DateOnly TerminatedDate { get; init; }

    /// <summary>Why it was terminated.</summary>
    public required string Reason { get; init; }

    protected override string Summary() =>
        $"Contract {ContractNumber} terminated on {TerminatedDate:yyyy-MM-dd} ({Reason}): {Money(UnpaidAmount, Currency)} no longer owed";
}

/// <summary>
/// An exchange difference (汇兑差额) on a foreign-currency contract: the contract became settled (fully paid in its own
/// currency, or terminated) while its receipts were converted at other rates than its signing rate, so its CNY
/// contribution to the customer's balance was not zero; <see cref="BalanceAmount"/> brings it to exactly zero. When a
/// reversal makes the contract owed again, the opposite difference is published. CNY contracts never have one (ADR 0036).
/// </summary>
public sealed record ExchangeDifferenceBooked : IntegrationEvent, ICustomerTimelineEvent
{
    public ExchangeDifferenceBooked(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The contract.</summary>
    public required Guid ContractId { get; init; }

    /// <summary>Its number (HT10000001).</summary>
    public required string ContractNumber { get; init; }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The contract amount, in its own currency.</summary>
    public required decimal ContractAmount { get; init; }

    /// <summary>ISO 4217 currency of the contract.</summary>
    public required string Currency { get; init; }

    /// <summary>The signed change of the customer's CNY balance: positive when the customer owes more, negative when less.</summary>
    public required decimal BalanceAmount { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CashTimelineKinds.Payment;

    string ICustomerTimelineEvent.TimelineSummary =>
        $"Exchange difference on contract {ContractNumber} ({Currency}): {BalanceAmount.ToString("+#,##0.00;-#,##0.00", CultureInfo.InvariantCulture)} CNY";
}

/// <summary>
/// A signed contract came into force (生效): its start date arrived (the contract lifecycle job moved it) or it was signed
/// on or after its start. Nothing moves on the customer's balance; that happened when it was signed.
/// </summary>
public sealed record ContractActivated : ContractEvent
{
    public ContractActivated(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The rep responsible.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The contract amount.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    /// <summary>The amount in CNY at the rate fixed when it was signed (what its signing added to the customer's balance).</summary>
    public required decimal CnyAmount { get; init; }

    /// <summary>First day in force.</summary>
    public required DateOnly StartDate { get; init; }

    /// <summary>Last day in force.</summary>
    public required DateOnly EndDate { get; init; }

    protected override string Summary() =>
        $"Contract {ContractNumber} in force from {StartDate:yyyy-MM-dd} to {EndDate:yyyy-MM-dd}: {Money(Amount, Currency)}";
}

/// <summary>
/// A signed or active contract expired (到期): the day after its end date arrived (the contract lifecycle job moved it) or
/// it was signed after its end. What is still owed on it stays owed (expired contracts take payments).
/// </summary>
public sealed record ContractExpired : ContractEvent
{
    public ContractExpired(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The rep responsible.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The contract amount.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amounts.</summary>
    public required string Currency { get; init; }

    /// <summary>The amount in CNY at the rate fixed when it was signed.</summary>
    public required decimal CnyAmount { get; init; }

    /// <summary>What is still owed on it (amount less what was received), in its currency.</summary>
    public required decimal OutstandingAmount { get; init; }

    /// <summary>The outstanding amount in CNY at the rate fixed when it was signed.</summary>
    public required decimal OutstandingCnyAmount { get; init; }

    /// <summary>First day it was in force.</summary>
    public required DateOnly StartDate { get; init; }

    /// <summary>Last day it was in force.</summary>
    public required DateOnly EndDate { get; init; }

    protected override string Summary() =>
        $"Contract {ContractNumber} expired after {EndDate:yyyy-MM-dd}"
        + (OutstandingAmount == 0m ? ", fully paid" : $": {Money(OutstandingAmount, Currency)} still owed");
}

/// <summary>
/// A contract was renewed (续约): a draft successor was drawn up for the same customer, linked to it. The successor is
/// not binding until it is signed (<see cref="ContractSigned"/>).
/// </summary>
public sealed record ContractRenewed : ContractEvent
{
    public ContractRenewed(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The contract it renews.</summary>
    public required Guid RenewedContractId { get; init; }

    /// <summary>The renewed contract's number.</summary>
    public required string RenewedContractNumber { get; init; }

    /// <summary>The rep responsible (the renewed contract's).</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The new contract's amount.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount (the renewed contract's).</summary>
    public required string Currency { get; init; }

    /// <summary>The new contract's first day.</summary>
    public required DateOnly StartDate { get; init; }

    /// <summary>The new contract's last day.</summary>
    public required DateOnly EndDate { get; init; }

    protected override string Summary() =>
        $"Contract {RenewedContractNumber} renewed as draft {ContractNumber}, {StartDate:yyyy-MM-dd} to {EndDate:yyyy-MM-dd}: {Money(Amount, Currency)}";
}

/// <summary>
/// A contract was given to another owner (PATCH <c>ownerId</c>, in any status): receipts recorded from now on, and the
/// commission on them, go to the new owner; those recorded before keep theirs. Lands on the customer's timeline.
/// </summary>
public sealed record ContractOwnerChanged : ContractEvent
{
    public ContractOwnerChanged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>Its status (draft, signed, active, expired, terminated).</summary>
    public required string Status { get; init; }

    /// <summary>The owner before; null when it had none.</summary>
    public Guid? FromOwnerId { get; init; }

    /// <summary>The new owner.</summary>
    public required Guid ToOwnerId { get; init; }

    /// <summary>Who gave it away (null for an API key).</summary>
    public Guid? ChangedBy { get; init; }

    /// <summary>The contract amount.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency of the amount.</summary>
    public required string Currency { get; init; }

    protected override string Summary() =>
        $"Contract {ContractNumber} handed over: {Money(Amount, Currency)}";
}
