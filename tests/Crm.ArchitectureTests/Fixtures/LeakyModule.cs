using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.ArchitectureTests.Fixtures;

// Deliberate rule violations: the tests prove the rules catch them.
public sealed record LeakyRequest(string Name) : IRequest<int>;

public sealed class LeakyHandler : IRequestHandler<LeakyRequest, int>
{
    public Task<int> Handle(LeakyRequest request, CancellationToken cancellationToken) => Task.FromResult(request.Name.Length);
}

public sealed class LeakyValidator : AbstractValidator<LeakyRequest>
{
    public LeakyValidator() => RuleFor(r => r.Name).NotEmpty();
}

public sealed class LeakyDbContext(DbContextOptions<LeakyDbContext> options) : DbContext(options);
