using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;

namespace Crm.Modules.Customers.Features.Actions;

/// <summary>What every status action carries besides its body: the route id, If-Match and whether the caller manages.</summary>
internal abstract record CustomerActionRequest : IRequest<VersionedCustomer>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    [JsonIgnore]
    public bool CallerIsManagerOrAdmin { get; init; }
}

/// <summary>Put a customer on the blacklist (黑名单). From active or churned.</summary>
/// <param name="Reason">Why (required, at most 500 characters); kept on the customer and in its history.</param>
internal sealed record BlacklistCustomerRequest(string Reason) : CustomerActionRequest;

/// <summary>Take a customer off the blacklist; it becomes active. Managers and administrators only.</summary>
/// <param name="Reason">Why (required, at most 500 characters); kept in the history.</param>
internal sealed record UnblacklistCustomerRequest(string Reason) : CustomerActionRequest;

/// <summary>Mark an active customer churned (流失).</summary>
/// <param name="Reason">Why it was lost (required, at most 500 characters).</param>
/// <param name="Competitor">The competitor it was lost to, if known (at most 200 characters).</param>
/// <param name="ChurnedAt">When it was lost (default now; not in the future).</param>
internal sealed record ChurnCustomerRequest(string Reason, string? Competitor = null, DateTimeOffset? ChurnedAt = null) : CustomerActionRequest;

/// <summary>Win a churned customer back; it becomes active.</summary>
/// <param name="Reason">Why or how it came back (required, at most 500 characters).</param>
internal sealed record ReactivateCustomerRequest(string Reason) : CustomerActionRequest;

/// <summary>Promote or demote a key account (大客户) / potential key account (潜在大客户). Managers and administrators only.</summary>
/// <param name="IsKeyAccount">Key account (required).</param>
/// <param name="IsPotentialKeyAccount">Potential key account (required; not together with isKeyAccount).</param>
/// <param name="Reason">Why (required, at most 500 characters).</param>
internal sealed record SetKeyAccountRequest(bool? IsKeyAccount, bool? IsPotentialKeyAccount, string Reason) : CustomerActionRequest;

/// <summary>Change the credit limit (信用额度) and optionally the rating (信用等级). Managers and administrators only.</summary>
/// <param name="CreditLimit">The new limit in CNY (required, 0 or more, 2 decimals). It may be below the outstanding balance: see the docs.</param>
/// <param name="CreditRating">The new rating, e.g. AAA (at most 10 characters); absent keeps the current one.</param>
/// <param name="Reason">Why (required, at most 500 characters).</param>
internal sealed record SetCreditLimitRequest(decimal? CreditLimit, string Reason, string? CreditRating = null) : CustomerActionRequest;

internal static class ReasonRule
{
    public static void Reason<T>(this AbstractValidator<T> validator, Func<T, string> reason) =>
        validator.RuleFor(r => reason(r)).NotEmpty().MaximumLength(CustomerHistoryEntry.MaxReasonLength).OverridePropertyName("reason");
}

internal sealed class BlacklistCustomerValidator : AbstractValidator<BlacklistCustomerRequest>
{
    public BlacklistCustomerValidator() => this.Reason(r => r.Reason);
}

internal sealed class UnblacklistCustomerValidator : AbstractValidator<UnblacklistCustomerRequest>
{
    public UnblacklistCustomerValidator() => this.Reason(r => r.Reason);
}

internal sealed class ReactivateCustomerValidator : AbstractValidator<ReactivateCustomerRequest>
{
    public ReactivateCustomerValidator() => this.Reason(r => r.Reason);
}

internal sealed class ChurnCustomerValidator : AbstractValidator<ChurnCustomerRequest>
{
    // Clocks of phones and laptops drift; "now" must not be refused for a few seconds.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public ChurnCustomerValidator(TimeProvider time)
    {
        this.Reason(r => r.Reason);
        RuleFor(r => r.Competitor).MaximumLength(200);
        RuleFor(r => r.ChurnedAt).Must(at => at is null || at <= time.GetUtcNow() + ClockSkew).WithMessage("churnedAt cannot be in the future.");
    }
}

internal sealed class SetKeyAccountValidator : AbstractValidator<SetKeyAccountRequest>
{
    public SetKeyAccountValidator()
    {
        this.Reason(r => r.Reason);
        RuleFor(r => r.IsKeyAccount).NotNull();
        RuleFor(r => r.IsPotentialKeyAccount).NotNull()
            .Must((r, potential) => !(potential == true && r.IsKeyAccount == true))
            .WithMessage("A key account is no longer a potential key account: set isPotentialKeyAccount to false when promoting.");
    }
}

internal sealed class SetCreditLimitValidator : AbstractValidator<SetCreditLimitRequest>
{
    public SetCreditLimitValidator()
    {
        this.Reason(r => r.Reason);
        RuleFor(r => r.CreditLimit).NotNull().GreaterThanOrEqualTo(0).PrecisionScale(18, 2, ignoreTrailingZeros: true);
        RuleFor(r => r.CreditRating).MaximumLength(10);
    }
}

/// <summary>The steps every action shares: load under visibility, If-Match, the archived rule, and the history row.</summary>
internal sealed class CustomerActionContext(CustomersDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
{
    public CustomersDbContext Db => db;

    public DateTimeOffset Now { get; } = time.UtcNow();

    /// <summary>The customer, tracked: 403 first for a manager-only action, then 404 when invisible, 412, 409 when archived.</summary>
    public Task<Customer> LoadAsync(CustomerActionRequest request, bool managersOnly, string action, CancellationToken ct) =>
        LoadAsync(request.Id, request.IfMatch, managersOnly && !request.CallerIsManagerOrAdmin, action, ct);

    /// <summary>As above for a request of its own shape; <paramref name="forbidden"/>: a manager-only action called by anyone else.</summary>
    public async Task<Customer> LoadAsync(Guid id, IfMatch ifMatch, bool forbidden, string action, CancellationToken ct)
    {
        if (forbidden)
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", $"Only managers (within their team and its sub-teams) and administrators may {action}.");
        }

        var customer = await CustomerAccess.FindVisibleAsync(db.Customers, access, id, ct);
        ifMatch.EnsureMatches(customer.Version);
        if (customer.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(customer.Id);
        }

        return customer;
    }

    public void Record(Customer customer, CustomerHistoryField field, string? from, string? to, string? reason)
    {
        if (from != to)
        {
            db.CustomerHistory.Add(CustomerHistoryEntry.Create(customer.Id, field, from, to, reason, actor.Id, Now));
        }
    }

    /// <summary>Saves the change, its history rows, its audit entry and its event in one transaction.</summary>
    public async Task<VersionedCustomer> SaveAsync(Customer customer, IIntegrationEvent integrationEvent, CancellationToken ct)
    {
        db.AddIntegrationEvent(integrationEvent);
        await db.SaveChangesAsync(ct);
        return CustomerProjection.Versioned(customer);
    }

    public static string Api<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static string Api(bool value) => value ? "true" : "false";

    public static string? Api(decimal? value) => value?.ToString("0.00", CultureInfo.InvariantCulture);
}

internal sealed class BlacklistCustomerHandler(CustomerActionContext context) : IRequestHandler<BlacklistCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(BlacklistCustomerRequest request, CancellationToken cancellationToken)
    {
        var customer = await context.LoadAsync(request, managersOnly: false, "blacklist customers", cancellationToken);
        if (customer.Status == CustomerStatus.Blacklisted)
        {
            throw CustomersProblems.AlreadyBlacklisted(customer.Id);
        }

        var from = customer.Status;
        customer.Blacklist(request.Reason, context.Now);
        context.Record(customer, CustomerHistoryField.Status, CustomerActionContext.Api(from), CustomerActionContext.Api(customer.Status), request.Reason);
        return await context.SaveAsync(
            customer,
            new CustomerBlacklisted(context.Now) { CustomerId = customer.Id, PreviousStatus = CustomerActionContext.Api(from), Reason = customer.BlacklistReason! },
            cancellationToken);
    }
}

internal sealed class UnblacklistCustomerHandler(CustomerActionContext context) : IRequestHandler<UnblacklistCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(UnblacklistCustomerRequest request, CancellationToken cancellationToken)
    {
        var customer = await context.LoadAsync(request, managersOnly: true, "take customers off the blacklist", cancellationToken);
        if (customer.Status != CustomerStatus.Blacklisted)
        {
            throw CustomersProblems.NotBlacklisted(customer.Id);
        }

        customer.Unblacklist(context.Now);
        context.Record(customer, CustomerHistoryField.Status, CustomerActionContext.Api(CustomerStatus.Blacklisted), CustomerActionContext.Api(customer.Status), request.Reason);
        return await context.SaveAsync(customer, new CustomerUnblacklisted(context.Now) { CustomerId = customer.Id, Reason = request.Reason.Trim() }, cancellationToken);
    }
}

internal sealed class ChurnCustomerHandler(CustomerActionContext context) : IRequestHandler<ChurnCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(ChurnCustomerRequest request, CancellationToken cancellationToken)
    {
        var customer = await context.LoadAsync(request, managersOnly: false, "mark customers churned", cancellationToken);
        switch (customer.Status)
        {
            case CustomerStatus.Churned:
                throw CustomersProblems.AlreadyChurned(customer.Id);
            case CustomerStatus.Blacklisted:
                throw CustomersProblems.CustomerBlacklisted(customer.Id, "cannot be marked churned; take it off the blacklist first");
        }

        var churnedAt = (request.ChurnedAt ?? context.Now).ToUniversalTime();
        customer.Churn(request.Reason, request.Competitor, churnedAt, context.Now);
        context.Record(customer, CustomerHistoryField.Status, CustomerActionContext.Api(CustomerStatus.Active), CustomerActionContext.Api(customer.Status), request.Reason);
        return await context.SaveAsync(
            customer,
            new CustomerChurned(context.Now)
            {
                CustomerId = customer.Id, ChurnedAt = churnedAt, Reason = customer.ChurnReason!, Competitor = customer.ChurnCompetitor,
                StageReached = CustomerActionContext.Api(customer.LifecycleStage),
            },
            cancellationToken);
    }
}

internal sealed class ReactivateCustomerHandler(CustomerActionContext context) : IRequestHandler<ReactivateCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(ReactivateCustomerRequest request, CancellationToken cancellationToken)
    {
        var customer = await context.LoadAsync(request, managersOnly: false, "reactivate customers", cancellationToken);
        if (customer.Status != CustomerStatus.Churned)
        {
            throw CustomersProblems.NotChurned(customer.Id);
        }

        customer.Reactivate(context.Now);
        context.Record(customer, CustomerHistoryField.Status, CustomerActionContext.Api(CustomerStatus.Churned), CustomerActionContext.Api(customer.Status), request.Reason);
        return await context.SaveAsync(customer, new CustomerReactivated(context.Now) { CustomerId = customer.Id, Reason = request.Reason.Trim() }, cancellationToken);
    }
}

internal sealed class SetKeyAccountHandler(CustomerActionContext context) : IRequestHandler<SetKeyAccountRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(SetKeyAccountRequest request, CancellationToken cancellationToken)
    {
        var customer = await context.LoadAsync(request, managersOnly: true, "promote or demote key accounts", cancellationToken);
        bool key = request.IsKeyAccount!.Value, potential = request.IsPotentialKeyAccount!.Value;
        bool wasKey = customer.IsKeyAccount, wasPotential = customer.IsPotentialKeyAccount;
        if (key == wasKey && potential == wasPotential)
        {
            return CustomerProjection.Versioned(customer);
        }

        var promotes = (key && !wasKey) || (potential && !wasPotential);
        if (promotes && customer.Status != CustomerStatus.Active)
        {
            throw CustomersProblems.CustomerNotActive(customer.Id, customer.Status, "cannot be promoted to (potential) key account");
        }

        customer.SetKeyAccount(key, potential, context.Now);
        context.Record(customer, CustomerHistoryField.IsKeyAccount, CustomerActionContext.Api(wasKey), CustomerActionContext.Api(key), request.Reason);
        context.Record(customer, CustomerHistoryField.IsPotentialKeyAccount, CustomerActionContext.Api(wasPotential), CustomerActionContext.Api(potential), request.Reason);
        return await context.SaveAsync(
            customer,
            new CustomerKeyAccountChanged(context.Now)
            {
                CustomerId = customer.Id, IsKeyAccount = key, IsPotentialKeyAccount = potential, WasKeyAccount = wasKey,
                WasPotentialKeyAccount = wasPotential, Reason = request.Reason.Trim(),
            },
            cancellationToken);
    }
}

internal sealed class SetCreditLimitHandler(CustomerActionContext context) : IRequestHandler<SetCreditLimitRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(SetCreditLimitRequest request, CancellationToken cancellationToken)
    {
        var customer = await context.LoadAsync(request, managersOnly: true, "change credit limits", cancellationToken);
        var limit = request.CreditLimit!.Value;
        var previousLimit = customer.CreditLimit;
        var previousRating = customer.CreditRating;

        // More credit for a customer we stopped doing business with is a mistake; less is always allowed.
        if (customer.Status != CustomerStatus.Active && (previousLimit is null || limit > previousLimit))
        {
            throw CustomersProblems.CustomerNotActive(customer.Id, customer.Status, "cannot get a higher credit limit");
        }

        customer.SetCredit(limit, request.CreditRating, context.Now);
        if (customer.CreditLimit == previousLimit && customer.CreditRating == previousRating)
        {
            return CustomerProjection.Versioned(customer);
        }

        context.Record(customer, CustomerHistoryField.CreditLimit, CustomerActionContext.Api(previousLimit), CustomerActionContext.Api(customer.CreditLimit), request.Reason);
        context.Record(customer, CustomerHistoryField.CreditRating, previousRating, customer.CreditRating, request.Reason);
        return await context.SaveAsync(
            customer,
            new CustomerCreditLimitChanged(context.Now)
            {
                CustomerId = customer.Id, CreditLimit = limit, PreviousCreditLimit = previousLimit, CreditRating = customer.CreditRating,
                PreviousCreditRating = previousRating, OutstandingBalance = customer.OutstandingBalance, Currency = customer.Currency,
                BalanceExceedsLimit = customer.OutstandingBalance > limit, Reason = request.Reason.Trim(),
            },
            cancellationToken);
    }
}
