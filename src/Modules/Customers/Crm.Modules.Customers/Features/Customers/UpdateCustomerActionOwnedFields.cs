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
        Refuse(r => r.OutstandingBalance, "outstandingBalance", "outstandingBalance is maintained from payment events and cannot be patched.");
    }

    private void Refuse(Func<UpdateCustomerRequest, Optional<JsonElement>> member, string name, string message) =>
        RuleFor(r => member(r)).Must(value => !value.HasValue).WithMessage(message).OverridePropertyName(name);
}
