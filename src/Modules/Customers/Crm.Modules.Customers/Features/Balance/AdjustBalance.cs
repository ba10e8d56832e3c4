using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Features.Actions;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using FluentValidation;
using MediatR;

namespace Crm.Modules.Customers.Features.Balance;

/// <summary>
/// Adjust a customer's outstanding balance (应收余额) by hand: a write-off, a correction, a debt from before the CRM. Writes
/// one ledger entry (kind manualAdjustment) and moves the balance in the same transaction. Managers (for customers of
/// their team subtree) and administrators only.
/// </summary>
/// <param name="Amount">Signed, not zero, at most 2 decimals: positive means the customer owes more, negative less.</param>
/// <param name="Currency">The currency of the amount; must be the balance's currency, CNY (422 otherwise).</param>
/// <param name="Reason">Why (required, at most 500 characters).</param>
/// <param name="Reference">Your reference, e.g. a voucher or ticket number (at most 100 characters).</param>
internal sealed record AdjustCustomerBalanceRequest(decimal? Amount, string? Currency, string Reason, string? Reference = null) : IRequest<BalanceAdjusted>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    [JsonIgnore]
    public bool CallerIsManagerOrAdmin { get; init; }
}

/// <summary>The adjustment's ledger entry and the customer's row version after it (its new ETag).</summary>
internal sealed record BalanceAdjusted(BalanceLedgerEntryResponse Entry, uint CustomerVersion);

internal sealed class AdjustCustomerBalanceValidator : AbstractValidator<AdjustCustomerBalanceRequest>
{
    public AdjustCustomerBalanceValidator()
    {
        this.Reason(r => r.Reason);
        RuleFor(r => r.Amount).NotNull().NotEqual(0m).WithMessage("amount must not be zero.").PrecisionScale(18, 2, ignoreTrailingZeros: true);
        RuleFor(r => r.Currency).NotEmpty().Matches("^[A-Za-z]{3}$").WithMessage("currency must be a 3-letter ISO 4217 code (CNY).");
        RuleFor(r => r.Reference).MaximumLength(BalanceLedgerEntry.MaxReferenceLength);
    }
}

internal sealed class AdjustCustomerBalanceHandler(CustomerActionContext context, ICurrentActor actor) : IRequestHandler<AdjustCustomerBalanceRequest, BalanceAdjusted>
{
    // numeric(18,2): the balance column's largest value.
    private const decimal MaxBalance = 9_999_999_999_999_999.99m;

    public async Task<BalanceAdjusted> Handle(AdjustCustomerBalanceRequest request, CancellationToken cancellationToken)
    {
        var customer = await context.LoadAsync(request.Id, request.IfMatch, !request.CallerIsManagerOrAdmin, "adjust outstanding balances", cancellationToken);
        var currency = request.Currency!.ToUpperInvariant();
        if (currency != customer.Currency)
        {
            throw CustomersProblems.UnsupportedCurrency(currency, customer.Currency);
        }

        var amount = request.Amount!.Value;
        if (Math.Abs(customer.OutstandingBalance + amount) > MaxBalance)
        {
            throw ValidationFailedException.For("amount", "The balance would be larger than an amount can be (16 digits before the decimal point).");
        }

        customer.AdjustBalance(amount, context.Now);
        var adjusted = new CustomerBalanceAdjusted(context.Now)
        {
            CustomerId = customer.Id, Amount = amount, Currency = customer.Currency, BalanceAfter = customer.OutstandingBalance,
            Reason = request.Reason.Trim(), Reference = string.IsNullOrWhiteSpace(request.Reference) ? null : request.Reference.Trim(), ActorId = actor.Id,
        };
        var entry = BalanceLedgerEntry.Adjustment(adjusted.EventId, customer.Id, amount, actor.Id, adjusted.Reason, adjusted.Reference, context.Now);
        context.Db.BalanceLedger.Add(entry);
        var saved = await context.SaveAsync(customer, adjusted, cancellationToken);
        return new BalanceAdjusted(
            new BalanceLedgerEntryResponse(
                entry.EventId, entry.CustomerId, entry.Kind, entry.Delta, customer.Currency, customer.OutstandingBalance, entry.ContractId, entry.Reason,
                entry.Reference, entry.ActorId, entry.AppliedAt, null, null),
            saved.Version);
    }
}
