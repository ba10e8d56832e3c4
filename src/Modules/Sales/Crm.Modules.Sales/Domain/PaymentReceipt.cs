using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>How a payment (回款) reached us.</summary>
public enum PaymentMethod
{
    BankTransfer,
    Cash,
    Cheque,
    Online,
}

/// <summary>A receipt stays recorded until it is reversed; it is never deleted.</summary>
public enum ReceiptStatus
{
    Recorded,
    Reversed,
}

/// <summary>Where an instalment stands, derived from what was applied to it and the day asked about.</summary>
public enum InstalmentStatus
{
    Pending,
    PartiallyPaid,
    Paid,
    Overdue,
}

/// <summary>One instalment of a contract's payment plan (回款计划): due date and amount; what is paid comes from receipts.</summary>
[AuditEntityType("paymentInstalment")]
internal sealed class PaymentInstalment : IAuditable
{
    private PaymentInstalment()
    {
    }

    public Guid Id { get; private set; }

    public Guid ContractId { get; private set; }

    public int Sequence { get; private set; }

    public DateOnly DueDate { get; private set; }

    public decimal Amount { get; private set; }

    /// <summary>Sum of the live allocations of receipts; kept on the row so the overdue list is one index range scan.</summary>
    public decimal PaidAmount { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public uint Version { get; private set; }

    public decimal Unpaid => Amount - PaidAmount;

    public static PaymentInstalment Create(Guid contractId, int sequence, DateOnly dueDate, decimal amount, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), ContractId = contractId, Sequence = sequence, DueDate = dueDate, Amount = amount, CreatedAt = now };

    /// <summary>Fully paid wins; otherwise a due date before the day makes it overdue even when partly paid, because something is still owed late.</summary>
    public static InstalmentStatus StatusOf(decimal amount, decimal paid, DateOnly dueDate, DateOnly asOf) =>
        paid >= amount ? InstalmentStatus.Paid
        : dueDate < asOf ? InstalmentStatus.Overdue
        : paid > 0 ? InstalmentStatus.PartiallyPaid
        : InstalmentStatus.Pending;

    public void Apply(decimal amount) => PaidAmount += amount;
}

/// <summary>The part of a receipt applied to one instalment; reversing the receipt takes exactly these parts back.</summary>
internal sealed class PaymentAllocation
{
    private PaymentAllocation()
    {
    }

    public Guid ReceiptId { get; private set; }

    public Guid InstalmentId { get; private set; }

    public decimal Amount { get; private set; }

    public static PaymentAllocation Create(Guid receiptId, Guid instalmentId, decimal amount) =>
        new() { ReceiptId = receiptId, InstalmentId = instalmentId, Amount = amount };
}

/// <summary>
/// A payment received (回款) against a contract. The contract owner at the time is kept on the receipt because commission is
/// attributed to the rep who owned the contract when the money came in.
/// </summary>
[AuditEntityType("paymentReceipt")]
internal sealed class PaymentReceipt : IAuditable, IOwnedRecord
{
    public const int MaxReferenceLength = 100;
    public const int MaxReasonLength = 500;
    public const int MaxExternalIdLength = 100;

    private PaymentReceipt()
    {
    }

    public Guid Id { get; private set; }

    public Guid ContractId { get; private set; }

    public Guid CustomerId { get; private set; }

    public Guid? OwnerId { get; private set; }

    public Guid? InstalmentId { get; private set; }

    public decimal Amount { get; private set; }

    public string Currency { get; private set; } = Contract.DefaultCurrency;

    public DateOnly ReceivedDate { get; private set; }

    /// <summary>CNY per 1 unit of <see cref="Currency"/> effective on the received date (1 for CNY), fixed when recorded.</summary>
    public decimal CnyRate { get; private set; } = 1m;

    /// <summary>The amount in CNY: what the receipt takes off the customer's balance, and what a reversal puts back.</summary>
    public decimal BalanceAmount => ExchangeRate.ToCny(Amount, CnyRate);

    public PaymentMethod Method { get; private set; }

    public string? Reference { get; private set; }

    /// <summary>The ERP's id of the receipt, unique when present: what an import matches on.</summary>
    public string? ExternalId { get; private set; }

    public ReceiptStatus Status { get; private set; }

    public string? ReversalReason { get; private set; }

    public DateTimeOffset? ReversedAt { get; private set; }

    /// <summary>The (UTC) day of the reversal: the commission statement of that day's month takes the commission back.</summary>
    public DateOnly? ReversedDate { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public uint Version { get; private set; }

    public static PaymentReceipt Create(
        Contract contract,
        Guid? instalmentId,
        decimal amount,
        DateOnly receivedDate,
        decimal cnyRate,
        PaymentMethod method,
        string? reference,
        DateTimeOffset now,
        string? externalId = null) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            ContractId = contract.Id,
            CustomerId = contract.CustomerId,
            OwnerId = contract.OwnerId,
            InstalmentId = instalmentId,
            Amount = amount,
            Currency = contract.Currency,
            ReceivedDate = receivedDate,
            CnyRate = cnyRate,
            Method = method,
            Reference = string.IsNullOrWhiteSpace(reference) ? null : reference.Trim(),
            ExternalId = Contract.NormalizeExternalId(externalId),
            Status = ReceiptStatus.Recorded,
            CreatedAt = now,
        };

    /// <summary>A receipt is reversed at most once; false when it already was.</summary>
    public bool Reverse(string reason, DateTimeOffset now)
    {
        if (Status == ReceiptStatus.Reversed)
        {
            return false;
        }

        Status = ReceiptStatus.Reversed;
        ReversalReason = reason.Trim();
        ReversedAt = now;
        ReversedDate = DateOnly.FromDateTime(now.UtcDateTime);
        return true;
    }
}
