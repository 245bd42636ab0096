// Where a model lives: the device of its parameters. Layers that make tensors
// of their own (masks, the ones channel, noise levels) follow their inputs'
// device instead; this is for code that starts from the model (evaluation,
// sampling) and must put its data beside it.
import type { Module } from '../nn/module.js';
import type { Device } from '../tensor/dtype.js';

export function modelDevice(model: Module): Device {
  const first = model.parameters()[0];
  return (first?.device ?? 'cpu') as Device;
}
