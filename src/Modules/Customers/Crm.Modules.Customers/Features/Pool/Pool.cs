using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Transfers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Pool;

/// <summary>Release a customer to the public pool (公海): its owner, their manager or an administrator.</summary>
/// <param name="Reason">Why (required, at most 500 characters); kept in the owner history.</param>
internal sealed record ReleaseCustomerRequest(string Reason) : IRequest<VersionedCustomer>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    [JsonIgnore]
    public bool CallerIsManagerOrAdmin { get; init; }
}

internal sealed class ReleaseCustomerValidator : AbstractValidator<ReleaseCustomerRequest>
{
    public ReleaseCustomerValidator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(CustomerOwnerChange.MaxReasonLength);
}

/// <summary>Claim a pool customer for the caller (a rep, or any user with customers:write).</summary>
internal sealed record ClaimCustomerRequest(Guid Id) : IRequest<VersionedCustomer>;

/// <summary>Give a pool customer to a rep (managers within their team subtree, administrators).</summary>
/// <param name="OwnerId">The new owner: an active user the caller can see (required).</param>
internal sealed record AssignCustomerRequest(Guid? OwnerId) : IRequest<VersionedCustomer>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public bool CallerMayTransfer { get; init; }
}

internal sealed class AssignCustomerValidator : AbstractValidator<AssignCustomerRequest>
{
    public AssignCustomerValidator() => RuleFor(r => r.OwnerId).NotNull();
}

/// <summary>The filters of <c>GET /api/v1/customers/pool</c>.</summary>
internal sealed record ListPoolRequest(PageRequest Page, string? Sort, string? Q, string? Tier, string? Province, string? Industry) : IRequest<Page<CustomerResponse>>;

internal sealed class ReleaseCustomerHandler(CustomersDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ReleaseCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(ReleaseCustomerRequest request, CancellationToken cancellationToken)
    {
        var customer = await CustomerAccess.FindVisibleAsync(db.Customers, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(customer.Version);
        if (customer.OwnerId != actor.Id && !request.CallerIsManagerOrAdmin)
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "Only the owner, their manager or an administrator may release a customer to the pool.");
        }

        if (customer.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(customer.Id);
        }

        if (customer.OwnerId is not { } from)
        {
            return CustomerProjection.Versioned(customer);
        }

        var now = time.UtcNow();
        var reason = request.Reason.Trim();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        customer.Release(now);
        db.CustomerOwnerHistory.Add(CustomerOwnerChange.Create(customer.Id, from, null, reason, actor.Id, now, Guid.CreateVersion7(now)));
        db.AddIntegrationEvent(new CustomerReleased(now) { CustomerId = customer.Id, FromOwnerId = from, Reason = reason });
        await db.SaveChangesAsync(cancellationToken);
        await db.Contacts.Where(c => c.CustomerId == customer.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, (Guid?)null), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return CustomerProjection.Versioned(customer);
    }
}

internal sealed class ClaimCustomerHandler(CustomersDbContext db, IUserDirectory users, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ClaimCustomerRequest, VersionedCustomer>
{
    public const string Reason = "claimed from the public pool";

    public async Task<VersionedCustomer> Handle(ClaimCustomerRequest request, CancellationToken cancellationToken)
    {
        var user = actor.Kind == HttpCurrentActor.UserKind && actor.Id is { } id ? await users.FindByIdAsync(id, cancellationToken) : null;
        if (user is not { Active: true })
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "Only users claim customers for themselves; API keys cannot own customers.");
        }

        return await PoolWrites.TakeAsync(db, request.Id, user, Reason, actor.Id, time.UtcNow(), enforceLimit: true, cancellationToken);
    }
}

internal sealed class AssignCustomerHandler(CustomersDbContext db, IAccessScopeProvider access, IUserDirectory users, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<AssignCustomerRequest, VersionedCustomer>
{
    public const string Reason = "assigned from the public pool";

    public async Task<VersionedCustomer> Handle(AssignCustomerRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var owner = await TransferRules.NewOwnerAsync(request.CallerMayTransfer, scope, users, request.OwnerId!.Value, cancellationToken);
        return await PoolWrites.TakeAsync(db, request.Id, owner, Reason, actor.Id, time.UtcNow(), enforceLimit: false, cancellationToken);
    }
}

internal sealed class ListPoolHandler(CustomersDbContext db) : IRequestHandler<ListPoolRequest, Page<CustomerResponse>>
{
    public async Task<Page<CustomerResponse>> Handle(ListPoolRequest request, CancellationToken cancellationToken)
    {
        // The pool is open to everyone who may read customers: no visibility filter, only unowned customers.
        var order = CustomerProjection.Sort.Parse(request.Sort);
        var filter = new CustomerFilter(Q: request.Q, Tier: request.Tier, Province: request.Province, Industry: request.Industry, Status: CustomerStatus.Active);
        var customers = CustomerQuery.Apply(db.Customers.AsNoTracking().Where(c => c.OwnerId == null), filter);
        return await customers.ToPageAsync(CustomerProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

/// <summary>Taking a customer out of the pool: one conditional UPDATE decides between concurrent takers.</summary>
internal static class PoolWrites
{
    public static async Task<VersionedCustomer> TakeAsync(
        CustomersDbContext db, Guid customerId, UserSummary owner, string reason, Guid? actorId, DateTimeOffset now, bool enforceLimit, CancellationToken ct)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == customerId, ct)
            ?? throw new NotFoundException("Customer", customerId);
        if (customer.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(customerId);
        }

        if (customer is { Status: CustomerStatus.Merged, MergedIntoId: { } survivorId })
        {
            throw CustomersProblems.CustomerMerged(customerId, survivorId);
        }

        if (customer.OwnerId is not null)
        {
            throw CustomersProblems.AlreadyOwned(customerId);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (enforceLimit && await PoolRuleLookup.ForTierAsync(db, customer.Tier, ct) is { MaxOwnedPerRep: { } limit })
        {
            // One rep's claims queue on a transaction lock, so two concurrent claims cannot both pass the count.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"customers.claim:" + owner.Id}, 0))", ct);
            var tier = customer.Tier;
            var owned = await db.Customers.CountAsync(c => c.OwnerId == owner.Id && c.Status != CustomerStatus.Archived && c.Status != CustomerStatus.Merged && c.Tier == tier, ct);
            if (owned >= limit)
            {
                throw CustomersProblems.ClaimLimitReached(limit, tier);
            }
        }

        var ownerId = owner.Id;
        var teamId = owner.TeamId;
        var taken = await db.Customers.Where(c => c.Id == customerId && c.OwnerId == null && c.Status != CustomerStatus.Archived && c.Status != CustomerStatus.Merged)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, ownerId).SetProperty(c => c.TeamId, teamId).SetProperty(c => c.UpdatedAt, now), ct);
        if (taken == 0)
        {
            throw CustomersProblems.AlreadyOwned(customerId);
        }

        await db.Contacts.Where(c => c.CustomerId == customerId).ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, ownerId), ct);
        db.CustomerOwnerHistory.Add(CustomerOwnerChange.Create(customerId, null, ownerId, reason, actorId, now, Guid.CreateVersion7(now)));
        db.AddAuditSummary<Customer>(AuditAction.Updated, taken, new Dictionary<string, object?> { ["ownerId"] = ownerId, ["teamId"] = teamId, ["transferReason"] = reason }, ownerId);
        db.AddIntegrationEvent(new CustomerOwnerChanged(now) { CustomerId = customerId, FromOwnerId = null, ToOwnerId = ownerId, ToTeamId = teamId, Reason = reason });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return CustomerProjection.Versioned(await db.Customers.AsNoTracking().SingleAsync(c => c.Id == customerId, ct));
    }
}
