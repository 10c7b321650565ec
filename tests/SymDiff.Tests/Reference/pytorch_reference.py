"""Reference weights for OptimizerPyTorchReferenceTests.cs, computed with PyTorch in float64.

Run with PyTorch 1.13 or later (Debian's python3-torch 1.13.1 was used): python3 pytorch_reference.py
SGD uses torch.optim.SGD itself. Adam spells out torch.optim.Adam's single-tensor step
(foreach=False, capturable=False) as it reads in PyTorch 2.x, where the first moment is
updated with lerp_ (1.x used mul_/add_), using PyTorch's own tensor kernels.
The gradient is Rosenbrock's, computed in Python floats with the same operation order as the C# test.
"""
import math
import torch


def rosenbrock_grad(x, y):
    gx = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x)
    gy = 200.0 * (y - x * x)
    return gx, gy


def grad_tensor(p):
    gx, gy = rosenbrock_grad(p[0].item(), p[1].item())
    return torch.tensor([gx, gy], dtype=torch.float64)


def adam(steps, lr, beta1, beta2, eps, weight_decay):
    param = torch.tensor([-1.2, 1.0], dtype=torch.float64)
    exp_avg = torch.zeros_like(param)
    exp_avg_sq = torch.zeros_like(param)
    step_t = torch.tensor(0.0)
    for _ in range(steps):
        grad = grad_tensor(param)
        step_t += 1
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad.conj(), value=1 - beta2)
        step = step_t.item()
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = math.sqrt(bias_correction2)
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        param.addcdiv_(exp_avg, denom, value=-step_size)
    return param


def sgd(steps, **settings):
    param = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], foreach=False, **settings)
    for _ in range(steps):
        optimizer.zero_grad()
        param.grad = grad_tensor(param.detach())
        optimizer.step()
    return param.detach()


def show(name, t):
    print(f"{name}: {t[0].item()!r}, {t[1].item()!r}")


torch.set_printoptions(precision=17)
print("torch", torch.__version__)
show("adam lr=0.01 1000 steps", adam(1000, 0.01, 0.9, 0.999, 1e-8, 0.0))
show("adam lr=0.02 b=(0.8,0.99) eps=1e-6 wd=0.1 1000 steps", adam(1000, 0.02, 0.8, 0.99, 1e-6, 0.1))
show("sgd lr=1e-4 momentum=0.9 dampening=0.1 wd=0.01 1000 steps", sgd(1000, lr=1e-4, momentum=0.9, dampening=0.1, weight_decay=0.01))
show("sgd lr=1e-4 momentum=0.9 nesterov 1000 steps", sgd(1000, lr=1e-4, momentum=0.9, nesterov=True))
