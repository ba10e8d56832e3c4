using Crm.SharedKernel.Data;
using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Partners;

/// <summary>An agent, distributor or other partner (代理商 / 经销商 / 合作伙伴).</summary>
/// <param name="Id">Partner id.</param>
/// <param name="Name">Name (unique).</param>
/// <param name="Kind">agent, distributor or partner.</param>
/// <param name="Province">Province.</param>
/// <param name="ContactName">Contact person.</param>
/// <param name="Phone">Phone.</param>
/// <param name="Email">Email (lower-case).</param>
/// <param name="Active">Inactive partners cannot be linked to new leads.</param>
/// <param name="OwnerId">The channel manager responsible for the partner.</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="UpdatedAt">Last changed.</param>
internal sealed record PartnerResponse(
    Guid Id, string Name, PartnerKind Kind, string? Province, string? ContactName, string? Phone, string? Email, bool Active, Guid? OwnerId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A partner with the row version that becomes its ETag.</summary>
internal sealed record VersionedPartner(PartnerResponse Partner, uint Version);

internal static class PartnerProjection
{
    public static readonly Expression<Func<Partner, PartnerResponse>> ToResponse = p =>
        new PartnerResponse(p.Id, p.Name, p.Kind, p.Province, p.ContactName, p.Phone, p.Email, p.Active, p.OwnerId, p.CreatedAt, p.UpdatedAt);

    /// <summary>By name (unique index) by default, or newest first.</summary>
    public static readonly SortDefinition<Partner, PartnerResponse> Sort = new SortDefinition<Partner, PartnerResponse>(p => p.Id, p => p.Id, "name")
        .Add("name", p => p.Name, p => p.Name)
        .Add("createdAt", p => p.CreatedAt, p => p.CreatedAt);

    private static readonly Func<Partner, PartnerResponse> Compiled = ToResponse.Compile();

    public static VersionedPartner Versioned(Partner partner) => new(Compiled(partner), partner.Version);
}

/// <summary>A partner's complete settings (create, and PUT which replaces them).</summary>
/// <param name="Name">Name (required, unique).</param>
/// <param name="Kind">agent, distributor or partner (required).</param>
/// <param name="Province">Province.</param>
/// <param name="ContactName">Contact person.</param>
/// <param name="Phone">Phone.</param>
/// <param name="Email">Email.</param>
/// <param name="Active">Default true.</param>
/// <param name="OwnerId">The channel manager responsible (an active user).</param>
internal sealed record PartnerRequest(
    string? Name, PartnerKind? Kind, string? Province = null, string? ContactName = null, string? Phone = null, string? Email = null, bool? Active = null, Guid? OwnerId = null)
    : IRequest<VersionedPartner>
{
    [JsonIgnore]
    public Guid? Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class PartnerRequestValidator : AbstractValidator<PartnerRequest>
{
    public PartnerRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Kind).NotNull().WithMessage("kind is required: agent, distributor or partner.");
        RuleFor(r => r.Province).MaximumLength(50);
        RuleFor(r => r.ContactName).MaximumLength(100);
        RuleFor(r => r.Phone).Must(p => p is null || Leads.LeadDetailsValidator.BeAPhone(p))
            .WithMessage("phone must be 5 to 20 digits, optionally with a leading +, spaces, dashes and parentheses.");
        RuleFor(r => r.Email).MaximumLength(254).EmailAddress();
    }
}

internal sealed record GetPartnerRequest(Guid Id) : IRequest<VersionedPartner>;

internal sealed record ListPartnersRequest(PageRequest Page, string? Sort, string? Q, PartnerKind? Kind, string? Province, bool? Active) : IRequest<Page<PartnerResponse>>;

internal sealed class PartnerHandlers(SalesDbContext db, IUserDirectory users, TimeProvider time)
    : IRequestHandler<PartnerRequest, VersionedPartner>, IRequestHandler<GetPartnerRequest, VersionedPartner>, IRequestHandler<ListPartnersRequest, Page<PartnerResponse>>
{
    public const string DuplicatePartnerNameType = ProblemTypes.BaseUri + "duplicate-partner-name";

    public async Task<VersionedPartner> Handle(PartnerRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name!.Trim();
        if (request.OwnerId is { } ownerId)
        {
            await Assignment.AssignmentProblems.EnsureActiveUsersAsync(users, [ownerId], cancellationToken);
        }

        if (await db.Partners.AnyAsync(p => p.Name == name && p.Id != request.Id, cancellationToken))
        {
            throw new ConflictException(DuplicatePartnerNameType, "Partner name in use", $"Another partner is already called '{name}'.");
        }

        var now = time.UtcNow();
        Partner partner;
        if (request.Id is { } id)
        {
            partner = await db.Partners.SingleOrDefaultAsync(p => p.Id == id, cancellationToken) ?? throw new NotFoundException("Partner", id);
            request.IfMatch.EnsureMatches(partner.Version);
        }
        else
        {
            partner = Partner.Create(name, request.Kind!.Value, request.OwnerId, now);
            db.Partners.Add(partner);
        }

        partner.Update(name, request.Kind!.Value, request.Province, request.ContactName, request.Phone, request.Email, request.Active ?? true, request.OwnerId, now);
        await db.SaveChangesAsync(cancellationToken);
        return PartnerProjection.Versioned(partner);
    }

    public async Task<VersionedPartner> Handle(GetPartnerRequest request, CancellationToken cancellationToken) =>
        PartnerProjection.Versioned(await db.Partners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Partner", request.Id));

    public async Task<Page<PartnerResponse>> Handle(ListPartnersRequest request, CancellationToken cancellationToken)
    {
        var order = PartnerProjection.Sort.Parse(request.Sort);
        var partners = db.Partners.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Q))
        {
            var pattern = LikePattern.Contains(request.Q.Trim());
            partners = partners.Where(p => EF.Functions.ILike(p.Name, pattern, LikePattern.Escape));
        }

        if (request.Kind is { } kind)
        {
            partners = partners.Where(p => p.Kind == kind);
        }

        if (!string.IsNullOrWhiteSpace(request.Province))
        {
            var province = request.Province.Trim();
            partners = partners.Where(p => p.Province == province);
        }

        if (request.Active is { } active)
        {
            partners = partners.Where(p => p.Active == active);
        }

        return await partners.ToPageAsync(PartnerProjection.ToResponse, order, request.Page, cancellationToken);
    }
}
