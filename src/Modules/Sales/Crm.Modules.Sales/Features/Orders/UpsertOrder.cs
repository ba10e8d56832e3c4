using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Sales.Features.Orders;

/// <summary>
/// The ERP upsert: create the draft order with this external id, or replace it while it is still a draft. The body is
/// the full representation of <c>POST /sales/orders</c>; absent optional fields are cleared on a replace (it is a PUT).
/// </summary>
/// <param name="ExternalId">The ERP's id from the path.</param>
/// <param name="Order">The full order.</param>
/// <param name="IfMatch">When present the order must exist with one of these ETags (412 otherwise).</param>
internal sealed record UpsertOrderRequest(string ExternalId, CreateOrderRequest Order, IfMatch IfMatch) : IRequest<UpsertedOrder>;

/// <summary>The order after the upsert, and whether it was created (201) or replaced (200).</summary>
internal sealed record UpsertedOrder(VersionedOrder Order, bool Created);

internal sealed class UpsertOrderValidator : AbstractValidator<UpsertOrderRequest>
{
    private static readonly CreateOrderValidator Create = new();

    public UpsertOrderValidator()
    {
        RuleFor(r => r.ExternalId).NotEmpty().MaximumLength(Order.MaxExternalIdLength)
            .Must(id => id is null || (id.Trim().Length == id.Length && !id.Any(char.IsControl)))
            .WithMessage($"externalId is 1 to {Order.MaxExternalIdLength} characters, without control characters or surrounding spaces.")
            .OverridePropertyName("externalId");
        RuleFor(r => r.Order).Custom((order, context) =>
        {
            foreach (var failure in Create.Validate(order).Errors)
            {
                context.AddFailure(failure.PropertyName, failure.ErrorMessage);
            }
        });
    }
}

internal sealed class UpsertOrderHandler(SalesDbContext db, OrderWriter writer, IAccessScopeProvider access) : IRequestHandler<UpsertOrderRequest, UpsertedOrder>
{
    public async Task<UpsertedOrder> Handle(UpsertOrderRequest request, CancellationToken cancellationToken)
    {
        var existing = await db.Orders.SingleOrDefaultAsync(o => o.ExternalId == request.ExternalId, cancellationToken);
        if (existing is null)
        {
            if (request.IfMatch.IsPresent)
            {
                throw new PreconditionFailedException($"No order has the external id '{request.ExternalId}', so If-Match cannot hold.");
            }

            var terms = await writer.CheckAsync(request.Order, cancellationToken);
            var order = await writer.CreateAsync(terms, request.Order.Notes, request.ExternalId, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new UpsertedOrder(OrderProjection.Versioned(order), Created: true);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // A concurrent upsert of the same external id created it first: this one becomes the replace it would
                // have been a moment later.
                db.ChangeTracker.Clear();
                existing = await db.Orders.SingleOrDefaultAsync(o => o.ExternalId == request.ExternalId, cancellationToken);
                if (existing is null)
                {
                    throw;
                }
            }
        }

        // As PATCH: an order the caller cannot see is 404, and only a draft may be replaced.
        var scope = await access.GetAsync(cancellationToken);
        if (!scope.CanSee(existing.OwnerId))
        {
            throw new NotFoundException("Order", request.ExternalId);
        }

        request.IfMatch.EnsureMatches(existing.Version);
        if (!existing.IsDraft)
        {
            throw OrderProblems.NotDraft(existing);
        }

        writer.Replace(existing, await writer.CheckAsync(request.Order, cancellationToken), request.Order.Notes);
        await db.SaveChangesAsync(cancellationToken);
        return new UpsertedOrder(OrderProjection.Versioned(existing), Created: false);
    }
}
