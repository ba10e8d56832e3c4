using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.ExchangeRates;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Payments;

/// <summary>An instalment of a contract's payment plan (回款计划).</summary>
/// <param name="Id">Instalment id.</param>
/// <param name="ContractId">The contract.</param>
/// <param name="Sequence">1, 2, 3 ... in the order they were added.</param>
/// <param name="DueDate">When it is due.</param>
/// <param name="Amount">Amount due.</param>
/// <param name="PaidAmount">What receipts applied to it so far.</param>
/// <param name="Status">pending, partiallyPaid, paid or overdue (as of today, or the asOf asked for).</param>
internal sealed record InstalmentResponse(Guid Id, Guid ContractId, int Sequence, DateOnly DueDate, decimal Amount, decimal PaidAmount, InstalmentStatus Status);

/// <summary>A payment received (回款).</summary>
/// <param name="Id">Receipt id.</param>
/// <param name="ContractId">The contract it was applied to.</param>
/// <param name="CustomerId">The paying customer.</param>
/// <param name="OwnerId">The contract owner when it was received (commission goes to this rep).</param>
/// <param name="InstalmentId">The instalment named on recording, if any.</param>
/// <param name="Amount">Amount received.</param>
/// <param name="Currency">The contract's currency.</param>
/// <param name="CnyRate">CNY per 1 unit of the currency effective on the received date, fixed when it was recorded.</param>
/// <param name="BalanceAmount">The amount in CNY: what it took off the customer's outstanding balance.</param>
/// <param name="ReceivedDate">The day the money arrived.</param>
/// <param name="Method">bankTransfer, cash, cheque or online.</param>
/// <param name="Reference">Bank or cheque reference.</param>
/// <param name="ExternalId">The ERP's id of the receipt, unique when present.</param>
/// <param name="Status">recorded or reversed.</param>
/// <param name="ReversalReason">Why it was reversed.</param>
/// <param name="ReversedAt">When it was reversed.</param>
/// <param name="Allocations">How it was applied to the plan's instalments.</param>
/// <param name="CreatedAt">When it was recorded.</param>
internal sealed record ReceiptResponse(
    Guid Id,
    Guid ContractId,
    Guid CustomerId,
    Guid? OwnerId,
    Guid? InstalmentId,
    decimal Amount,
    string Currency,
    decimal CnyRate,
    decimal BalanceAmount,
    DateOnly ReceivedDate,
    PaymentMethod Method,
    string? Reference,
    string? ExternalId,
    ReceiptStatus Status,
    string? ReversalReason,
    DateTimeOffset? ReversedAt,
    IReadOnlyList<ReceiptAllocationResponse> Allocations,
    DateTimeOffset CreatedAt);

/// <summary>The part of a receipt applied to one instalment.</summary>
/// <param name="InstalmentId">The instalment.</param>
/// <param name="Amount">The part applied to it.</param>
internal sealed record ReceiptAllocationResponse(Guid InstalmentId, decimal Amount);

internal sealed record VersionedReceipt(ReceiptResponse Receipt, uint Version);

internal static class PaymentProblems
{
    public const string PlanExceedsContractType = ProblemTypes.BaseUri + "plan-exceeds-contract";
    public const string ExceedsOutstandingType = ProblemTypes.BaseUri + "payment-exceeds-outstanding";
    public const string ContractNotPayableType = ProblemTypes.BaseUri + "contract-not-payable";
    public const string UnknownContractType = ProblemTypes.BaseUri + "unknown-contract";
    public const string UnknownInstalmentType = ProblemTypes.BaseUri + "unknown-instalment";
    public const string AlreadyReversedType = ProblemTypes.BaseUri + "receipt-already-reversed";
    public const string ExternalIdIndex = "ix_payment_receipts_external_id";

    public static ProblemException PlanExceedsContract(decimal contractAmount, decimal planned, decimal requested)
    {
        var problem = new ProblemException(422, PlanExceedsContractType, "Payment plan exceeds the contract",
            $"The instalments would total {planned + requested:0.00}, more than the contract amount {contractAmount:0.00}.");
        problem.Extensions["contractAmount"] = contractAmount;
        problem.Extensions["planned"] = planned;
        problem.Extensions["requested"] = requested;
        return problem;
    }

    public static ProblemException ExceedsOutstanding(string what, decimal outstanding, decimal requested)
    {
        var problem = new ProblemException(422, ExceedsOutstandingType, "Payment exceeds what is outstanding",
            $"{requested:0.00} is more than the {outstanding:0.00} still outstanding on the {what}.");
        problem.Extensions["outstanding"] = outstanding;
        problem.Extensions["requested"] = requested;
        return problem;
    }

    public static ProblemException NotPayable(Guid id, ContractStatus status) =>
        new ConflictException(ContractNotPayableType, "Contract does not take payments",
            $"Contract '{id}' is {status.ToString().ToLowerInvariant()}; payments are recorded on signed, active or expired contracts only.");

    public static ProblemException UnknownContract(Guid id) =>
        new(422, UnknownContractType, "Unknown contract", $"Contract '{id}' does not exist or is not visible to you.");

    public static ProblemException UnknownInstalment(Guid id) =>
        new(422, UnknownInstalmentType, "Unknown instalment", $"Instalment '{id}' is not part of this contract's payment plan.");
}

/// <summary>Add an instalment to a contract's payment plan.</summary>
/// <param name="DueDate">When it is due (required).</param>
/// <param name="Amount">Amount due (required, more than 0, 2 decimals); the plan may not total more than the contract.</param>
internal sealed record AddInstalmentRequest(DateOnly? DueDate, decimal? Amount) : IRequest<InstalmentResponse>
{
    [JsonIgnore]
    public Guid ContractId { get; init; }
}

internal sealed class AddInstalmentValidator : AbstractValidator<AddInstalmentRequest>
{
    public AddInstalmentValidator()
    {
        RuleFor(r => r.DueDate).NotNull();
        RuleFor(r => r.Amount).NotNull().GreaterThan(0).PrecisionScale(18, 2, ignoreTrailingZeros: true);
    }
}

internal sealed class AddInstalmentHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<AddInstalmentRequest, InstalmentResponse>
{
    public async Task<InstalmentResponse> Handle(AddInstalmentRequest request, CancellationToken cancellationToken)
    {
        var contract = await ContractAccess.FindVisibleAsync(db.Contracts, access, request.ContractId, cancellationToken);
        var plan = await db.PaymentInstalments.Where(i => i.ContractId == contract.Id)
            .GroupBy(i => i.ContractId)
            .Select(g => new { Total = g.Sum(i => i.Amount), Last = g.Max(i => i.Sequence) })
            .SingleOrDefaultAsync(cancellationToken);
        var planned = plan?.Total ?? 0m;
        var amount = request.Amount!.Value;
        if (planned + amount > contract.Amount)
        {
            throw PaymentProblems.PlanExceedsContract(contract.Amount, planned, amount);
        }

        var now = time.UtcNow();
        var instalment = PaymentInstalment.Create(contract.Id, (plan?.Last ?? 0) + 1, request.DueDate!.Value, amount, now);
        db.PaymentInstalments.Add(instalment);

        // Touching the contract makes two concurrent additions conflict on its row version instead of both passing the sum check.
        contract.Touch(now);
        await db.SaveChangesAsync(cancellationToken);
        return PaymentProjection.ToInstalment(instalment, DateOnly.FromDateTime(now.UtcDateTime));
    }
}

internal sealed record ListInstalmentsRequest(Guid ContractId, DateOnly? AsOf) : IRequest<IReadOnlyList<InstalmentResponse>>;

internal sealed class ListInstalmentsHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<ListInstalmentsRequest, IReadOnlyList<InstalmentResponse>>
{
    public async Task<IReadOnlyList<InstalmentResponse>> Handle(ListInstalmentsRequest request, CancellationToken cancellationToken)
    {
        var contract = await ContractAccess.FindVisibleAsync(db.Contracts.AsNoTracking(), access, request.ContractId, cancellationToken);
        var asOf = request.AsOf ?? DateOnly.FromDateTime(time.UtcNow().UtcDateTime);
        var instalments = await db.PaymentInstalments.AsNoTracking().Where(i => i.ContractId == contract.Id).OrderBy(i => i.Sequence).ToListAsync(cancellationToken);
        return [.. instalments.Select(i => PaymentProjection.ToInstalment(i, asOf))];
    }
}

internal static class PaymentProjection
{
    public static InstalmentResponse ToInstalment(PaymentInstalment i, DateOnly asOf) =>
        new(i.Id, i.ContractId, i.Sequence, i.DueDate, i.Amount, i.PaidAmount, PaymentInstalment.StatusOf(i.Amount, i.PaidAmount, i.DueDate, asOf));

    public static VersionedReceipt ToReceipt(PaymentReceipt r, IEnumerable<PaymentAllocation> allocations) =>
        new(new ReceiptResponse(
            r.Id, r.ContractId, r.CustomerId, r.OwnerId, r.InstalmentId, r.Amount, r.Currency, r.CnyRate, r.BalanceAmount, r.ReceivedDate, r.Method, r.Reference, r.ExternalId, r.Status,
            r.ReversalReason, r.ReversedAt, [.. allocations.Select(a => new ReceiptAllocationResponse(a.InstalmentId, a.Amount))], r.CreatedAt), r.Version);
}

/// <summary>Record a payment received on a contract.</summary>
/// <param name="ContractId">The contract (required; signed, active or expired).</param>
/// <param name="Amount">Amount received (required, more than 0, 2 decimals, at most what is outstanding on the contract).</param>
/// <param name="ReceivedDate">The day the money arrived (required, not in the future).</param>
/// <param name="Method">bankTransfer, cash, cheque or online (required).</param>
/// <param name="Reference">Bank or cheque reference (at most 100 characters).</param>
/// <param name="InstalmentId">Apply it to this instalment (at most its unpaid part); without it the amount is applied oldest due first.</param>
/// <param name="ExternalId">The ERP's id of the receipt (at most 100 characters, unique): what receipt imports match on.</param>
internal sealed record RecordReceiptRequest(
    Guid? ContractId, decimal? Amount, DateOnly? ReceivedDate, PaymentMethod? Method, string? Reference = null, Guid? InstalmentId = null, string? ExternalId = null)
    : IRequest<VersionedReceipt>;

internal sealed class RecordReceiptValidator : AbstractValidator<RecordReceiptRequest>
{
    public RecordReceiptValidator(TimeProvider time)
    {
        RuleFor(r => r.ContractId).NotNull().NotEqual(Guid.Empty);
        RuleFor(r => r.Amount).NotNull().GreaterThan(0).PrecisionScale(18, 2, ignoreTrailingZeros: true);
        RuleFor(r => r.ReceivedDate).NotNull()
            .Must(d => d is null || d <= DateOnly.FromDateTime(time.UtcNow().UtcDateTime.AddDays(1))).WithMessage("receivedDate cannot be in the future.");
        RuleFor(r => r.Method).NotNull().IsInEnum();
        RuleFor(r => r.Reference).MaximumLength(PaymentReceipt.MaxReferenceLength);
        RuleFor(r => r.ExternalId).ExternalId(PaymentReceipt.MaxExternalIdLength);
    }
}

internal sealed class RecordReceiptHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<RecordReceiptRequest, VersionedReceipt>
{
    public async Task<VersionedReceipt> Handle(RecordReceiptRequest request, CancellationToken cancellationToken)
    {
        var contractId = request.ContractId!.Value;
        var scope = await access.GetAsync(cancellationToken);
        var contract = await db.Contracts.Where(c => c.Id == contractId).Where(scope.Filter<Contract>(c => c.OwnerId)).SingleOrDefaultAsync(cancellationToken)
            ?? throw PaymentProblems.UnknownContract(contractId);
        if (!contract.AcceptsPayments)
        {
            throw PaymentProblems.NotPayable(contract.Id, contract.Status);
        }

        var amount = request.Amount!.Value;
        if (amount > contract.Outstanding)
        {
            throw PaymentProblems.ExceedsOutstanding("contract", contract.Outstanding, amount);
        }

        var open = await db.PaymentInstalments.Where(i => i.ContractId == contract.Id && i.PaidAmount < i.Amount)
            .OrderBy(i => i.DueDate).ThenBy(i => i.Sequence).ToListAsync(cancellationToken);
        if (request.InstalmentId is { } instalmentId)
        {
            var named = open.Find(i => i.Id == instalmentId);
            if (named is null)
            {
                throw await db.PaymentInstalments.AnyAsync(i => i.Id == instalmentId && i.ContractId == contract.Id, cancellationToken)
                    ? PaymentProblems.ExceedsOutstanding("instalment", 0m, amount)
                    : PaymentProblems.UnknownInstalment(instalmentId);
            }

            if (amount > named.Unpaid)
            {
                throw PaymentProblems.ExceedsOutstanding("instalment", named.Unpaid, amount);
            }

            open = [named];
        }

        var now = time.UtcNow();
        var receivedDate = request.ReceivedDate!.Value;
        var cnyRate = await ExchangeRateLookup.RateAsync(db, contract.Currency, receivedDate, cancellationToken);
        var receipt = PaymentReceipt.Create(
            contract, request.InstalmentId, amount, receivedDate, cnyRate, request.Method!.Value, request.Reference, now, request.ExternalId);
        db.PaymentReceipts.Add(receipt);
        var allocations = Allocate(receipt, open, amount);
        db.PaymentAllocations.AddRange(allocations);

        // The contract's row version guards the outstanding check: a concurrent receipt on the same contract fails with 409 instead of overpaying it.
        contract.RecordReceipt(amount, now);
        db.AddIntegrationEvent(new PaymentReceived(now)
        {
            ReceiptId = receipt.Id, ContractId = contract.Id, CustomerId = contract.CustomerId, Amount = amount, Currency = contract.Currency,
            BalanceAmount = receipt.BalanceAmount, ReceivedDate = receipt.ReceivedDate,
        });
        await ExchangeDifferences.SettleAsync(db, contract, contract.Outstanding == 0m, receipt.BalanceAmount, 0m, now, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ContractProblems.IsExternalIdViolation(ex, PaymentProblems.ExternalIdIndex))
        {
            throw ContractProblems.DuplicateExternalId("receipt", receipt.ExternalId!);
        }

        return PaymentProjection.ToReceipt(receipt, allocations);
    }

    /// <summary>Fills the given instalments in order; what is left after the plan stays on the contract unallocated.</summary>
    public static List<PaymentAllocation> Allocate(PaymentReceipt receipt, List<PaymentInstalment> instalments, decimal amount)
    {
        var allocations = new List<PaymentAllocation>();
        foreach (var instalment in instalments)
        {
            if (amount == 0m)
            {
                break;
            }

            var part = Math.Min(amount, instalment.Unpaid);
            instalment.Apply(part);
            allocations.Add(PaymentAllocation.Create(receipt.Id, instalment.Id, part));
            amount -= part;
        }

        return allocations;
    }
}

internal sealed record GetReceiptRequest(Guid Id) : IRequest<VersionedReceipt>;

internal sealed class GetReceiptHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetReceiptRequest, VersionedReceipt>
{
    public async Task<VersionedReceipt> Handle(GetReceiptRequest request, CancellationToken cancellationToken)
    {
        var receipt = await ReceiptAccess.FindVisibleAsync(db.PaymentReceipts.AsNoTracking(), access, request.Id, cancellationToken);
        var allocations = await db.PaymentAllocations.AsNoTracking().Where(a => a.ReceiptId == receipt.Id).ToListAsync(cancellationToken);
        return PaymentProjection.ToReceipt(receipt, allocations);
    }
}

internal static class ReceiptAccess
{
    /// <summary>Visible through the owner recorded on the receipt; otherwise 404.</summary>
    public static async Task<PaymentReceipt> FindVisibleAsync(IQueryable<PaymentReceipt> receipts, IAccessScopeProvider access, Guid id, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return await receipts.Where(r => r.Id == id).Where(scope.Filter<PaymentReceipt>(r => r.OwnerId)).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Receipt", id);
    }
}

/// <summary>Reverse a receipt: the money counts as not received again (a receipt is never deleted).</summary>
/// <param name="Reason">Why (required, at most 500 characters).</param>
internal sealed record ReverseReceiptRequest(string? Reason) : IRequest<VersionedReceipt>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class ReverseReceiptValidator : AbstractValidator<ReverseReceiptRequest>
{
    public ReverseReceiptValidator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(PaymentReceipt.MaxReasonLength);
}

internal sealed class ReverseReceiptHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<ReverseReceiptRequest, VersionedReceipt>
{
    public async Task<VersionedReceipt> Handle(ReverseReceiptRequest request, CancellationToken cancellationToken)
    {
        var receipt = await ReceiptAccess.FindVisibleAsync(db.PaymentReceipts, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(receipt.Version);
        var now = time.UtcNow();
        if (!receipt.Reverse(request.Reason!, now))
        {
            throw new ConflictException(PaymentProblems.AlreadyReversedType, "Receipt already reversed", $"Receipt '{receipt.Id}' was already reversed.");
        }

        var allocations = await db.PaymentAllocations.AsNoTracking().Where(a => a.ReceiptId == receipt.Id).ToListAsync(cancellationToken);
        var instalmentIds = allocations.Select(a => a.InstalmentId).ToList();
        var instalments = await db.PaymentInstalments.Where(i => instalmentIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, cancellationToken);
        foreach (var allocation in allocations)
        {
            instalments[allocation.InstalmentId].Apply(-allocation.Amount);
        }

        var contract = await db.Contracts.SingleAsync(c => c.Id == receipt.ContractId, cancellationToken);
        contract.ReverseReceipt(receipt.Amount, now);
        db.AddIntegrationEvent(new PaymentReversed(now)
        {
            ReceiptId = receipt.Id, ContractId = receipt.ContractId, CustomerId = receipt.CustomerId, Amount = receipt.Amount, Currency = receipt.Currency,
            BalanceAmount = receipt.BalanceAmount, Reason = receipt.ReversalReason!,
        });

        // Something is owed on the contract again: an exchange difference booked when it was settled is taken back.
        await ExchangeDifferences.SettleAsync(db, contract, false, 0m, 0m, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return PaymentProjection.ToReceipt(receipt, allocations);
    }
}
