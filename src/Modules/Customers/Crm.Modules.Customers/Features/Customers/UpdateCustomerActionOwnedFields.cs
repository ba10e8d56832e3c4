using System.Text.Json;
using Crm.SharedKernel.Http;
using FluentValidation;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>
/// PATCH refuses the fields that belong to an action (with its rules, reason, history and event) or to payment events,
/// naming where they are changed instead, so a client never believes a silently ignored member was applied.
/// </summary>
internal sealed class UpdateCustomerActionOwnedFieldsValidator : AbstractValidator<UpdateCustomerRequest>
{
    public UpdateCustomerActionOwnedFieldsValidator()
    {
        Refuse(r => r.Status, "status", "status changes through POST /api/v1/customers/{id}/blacklist, /unblacklist, /churn or /reactivate (DELETE archives), not PATCH.");
        Refuse(r => r.IsKeyAccount, "isKeyAccount", "isKeyAccount changes through POST /api/v1/customers/{id}/key-account, not PATCH.");
        Refuse(r => r.IsPotentialKeyAccount, "isPotentialKeyAccount", "isPotentialKeyAccount changes through POST /api/v1/customers/{id}/key-account, not PATCH.");
        Refuse(r => r.CreditLimit, "creditLimit", "creditLimit changes through POST /api/v1/customers/{id}/credit-limit, not PATCH.");
        Refuse(r => r.CreditRating, "creditRating", "creditRating changes through POST /api/v1/customers/{id}/credit-limit, not PATCH.");
        Refuse(r => r.OutstandingBalance, BalanceIsReadOnly.Field, BalanceIsReadOnly.Message);
    }

    private void Refuse(Func<UpdateCustomerRequest, Optional<JsonElement>> member, string name, string message) =>
        RuleFor(r => member(r)).Must(value => !value.HasValue).WithMessage(message).OverridePropertyName(name);
}

/// <summary>
/// The outstanding balance is a ledger (docs/adr/0027-customer-balance-is-a-ledger.md): no client writes it, on create,
/// PATCH, the ERP upsert or an import; it moves only through payment events and balance adjustments.
/// </summary>
internal static class BalanceIsReadOnly
{
    public const string Field = "outstandingBalance";

    public const string Message =
        "outstandingBalance is maintained from payment events and balance adjustments, not set by clients: use POST /api/v1/customers/{id}/balance-adjustments.";
}
